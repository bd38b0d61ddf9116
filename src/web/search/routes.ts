import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { pageAuth } from '../auth.js';
import { field, sendPage } from '../page.js';
import { deviceHref, personHref } from '../views/links.js';
import { searchView } from './view.js';

const SHOWN = 25;

/**
 * The header's search box: a scanned or typed asset tag or Local ID, in any
 * letter case, goes straight to that device or person (303); anything else,
 * or a text that is both a tag and a Local ID, lists what starts with it.
 */
export function searchRoutes(domain: Pick<WebDomain, 'people' | 'devices' | 'photos'>): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { q?: string } }>('/search', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const districtId = req.district.id;
      const q = field(req.query, 'q').slice(0, 200);
      if (q) {
        const [device, person] = await Promise.all([domain.devices.findDevice(districtId, q), domain.people.findPerson(districtId, q)]);
        if (device && !person) return reply.redirect(deviceHref(device), 303);
        if (person && !device) return reply.redirect(personHref(person), 303);
      }
      const [people, devices] = q
        ? await Promise.all([
            domain.people.searchPeople(districtId, { text: q, limit: SHOWN, offset: 0 }),
            domain.devices.listDevices(districtId, { search: q, limit: SHOWN + 1, offset: 0 }),
          ])
        : [{ people: [], total: 0, more: false }, []];
      const faces = await domain.photos.faces(districtId, people.people.map((p) => p.id));
      const body = searchView({
        q,
        people: { shown: people.people, total: people.total, more: people.more },
        devices: { shown: devices.slice(0, SHOWN), more: devices.length > SHOWN },
        faces,
      });
      return sendPage(req, reply, { section: 'search', title: q ? `Search: ${q}` : 'Search', body });
    });
  };
}
