import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { isIncidentStatus, isIncidentType } from '../../incidents/incidents.js';
import { isLanyardError } from '../../shared/errors.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { csrfOf, field, formError, pageNumber, sendNotFound, sendPage } from '../page.js';
import { prg } from '../prg.js';
import type { Flash } from '../views/flash.js';
import { incidentHref } from '../views/links.js';
import { parseSort } from '../views/sort.js';
import { incidentListView, incidentView, newIncidentView, type NewIncidentValues } from './view.js';

const PAGE_SIZE = 50;

type Form = Record<string, string | undefined>;
type IncidentRequest = FastifyRequest<{ Params: { id: string } }>;

/** Incidents: the list with filters, opening one, and each incident's page with its timeline. */
export function incidentRoutes(domain: Pick<WebDomain, 'incidents' | 'devices' | 'people' | 'photos' | 'flashes'>): FastifyPluginAsync {
  const { incidents, people, devices, photos } = domain;
  const flashes = prg(domain.flashes);

  function newForm(req: FastifyRequest, reply: FastifyReply, values: NewIncidentValues, flash: Flash = {}, status = 200) {
    const body = newIncidentView({ flash, csrf: csrfOf(req), values });
    return sendPage(req, reply, { section: 'incidents', title: 'Open an incident', body, status });
  }

  async function incidentPage(req: IncidentRequest, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    let incident;
    try {
      incident = await incidents.getIncident(districtId, Number(req.params.id));
    } catch (err) {
      if (isLanyardError(err) && err.kind === 'not-found') return sendNotFound(req, reply, 'incidents', err.message);
      throw err;
    }
    const [device, person, timeline, holder] = await Promise.all([
      devices.findDeviceById(districtId, incident.deviceId),
      people.findPersonById(districtId, incident.personId),
      incidents.incidentTimeline(districtId, incident.id),
      incidents.holderWhenOpened(districtId, incident),
    ]);
    const heldBy = holder?.heldBy == null ? undefined : await people.findPersonById(districtId, holder.heldBy);
    const faces = await photos.faces(districtId, person ? [person.id] : []);
    const body = incidentView({
      flash,
      csrf: csrfOf(req),
      incident,
      device,
      person,
      photo: person && faces.get(person.id),
      timeline,
      notHolder: holder && { heldBy },
      mayWrite: can(req.session!.staff.role, 'incidents:write'),
    });
    return sendPage(req, reply, { section: 'incidents', title: `Incident #${incident.id}`, body, status });
  }

  const read = { preHandler: pageAuth('people:read') };
  const write = { preHandler: pageAuth('incidents:write') };

  return async (app) => {
    app.get<{ Querystring: { status?: string; type?: string; sort?: string; page?: string } }>('/incidents', read, async (req, reply) => {
      const districtId = req.district.id;
      const status = field(req.query, 'status');
      const type = field(req.query, 'type');
      const sort = parseSort(field(req.query, 'sort'), ['opened'], { by: 'opened', dir: 'desc' });
      const pageNo = pageNumber(req.query.page);
      const { incidents: found, total } = await incidents.listIncidents(districtId, {
        status: isIncidentStatus(status) ? status : undefined,
        type: isIncidentType(type) ? type : undefined,
        sort,
        limit: PAGE_SIZE,
        offset: (pageNo - 1) * PAGE_SIZE,
      });
      const [byId, deviceById] = await Promise.all([
        people.peopleByIds(districtId, found.map((i) => i.personId)),
        devices.devicesByIds(districtId, found.map((i) => i.deviceId)),
      ]);
      const body = incidentListView({
        status,
        type,
        sort,
        pageSize: PAGE_SIZE,
        incidents: found,
        total,
        people: byId,
        devices: deviceById,
        faces: await photos.faces(districtId, [...byId.keys()]),
        pageNo,
        hasNext: pageNo * PAGE_SIZE < total,
        mayOpen: can(req.session!.staff.role, 'incidents:write'),
      });
      return sendPage(req, reply, { section: 'incidents', title: 'Incidents', body });
    });

    app.get<{ Querystring: { assetTag?: string; localId?: string } }>('/incidents/new', write, (req, reply) =>
      newForm(req, reply, { assetTag: field(req.query, 'assetTag'), localId: field(req.query, 'localId') }),
    );

    app.post<{ Body: Form }>('/incidents', write, async (req, reply) => {
      const values = {
        assetTag: field(req.body, 'assetTag'),
        localId: field(req.body, 'localId'),
        type: field(req.body, 'type'),
        description: field(req.body, 'description'),
      };
      try {
        const i = await incidents.openIncident(req.district.id, { ...values, by: req.session!.staff.email });
        return await flashes.redirect(req, reply, incidentHref(i), { notice: `Incident #${i.id} opened.` });
      } catch (err) {
        const e = formError(err);
        return newForm(req, reply, values, { error: e.error }, e.status);
      }
    });

    app.get<{ Params: { id: string } }>('/incidents/:id', read, async (req, reply) => incidentPage(req, reply, await flashes.take(req)));

    app.post<{ Params: { id: string }; Body: Form }>('/incidents/:id/notes', write, async (req, reply) => {
      const id = Number(req.params.id);
      try {
        const change = { status: field(req.body, 'status'), note: field(req.body, 'note'), by: req.session!.staff.email };
        await incidents.updateIncident(req.district.id, id, change);
        return await flashes.redirect(req, reply, incidentHref({ id }), { notice: 'Saved.' });
      } catch (err) {
        const e = formError(err);
        return e.status === 404 ? sendNotFound(req, reply, 'incidents', e.error) : incidentPage(req, reply, { error: e.error }, e.status);
      }
    });
  };
}
