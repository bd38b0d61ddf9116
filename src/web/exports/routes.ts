import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { csvFileName } from '../../exports/exports.js';
import { isIncidentStatus, isIncidentType } from '../../incidents/incidents.js';
import { csvChunks } from '../../shared/csv.js';
import { pageAuth } from '../auth.js';
import { field, sendNotFound } from '../page.js';
import { peopleFilterOf, peopleFiltersOf } from '../people/query.js';
import { parseSort } from '../views/sort.js';
import { DEVICES_HEADER, deviceLines, HISTORY_HEADER, historyLines, INCIDENTS_HEADER, incidentLines, PEOPLE_HEADER, peopleLines } from './csv.js';

/**
 * The CSV downloads beside the People, Devices and Incidents lists (the
 * list's filters, search and order, every matching row, not just the page)
 * and of a device's history. Each is streamed a page of rows at a time, so
 * a 600,000-person district's file never sits in memory. Same permission as
 * the list it comes from.
 */
export function exportRoutes(domain: Pick<WebDomain, 'exports' | 'schools' | 'photos' | 'devices'>): FastifyPluginAsync {
  const send = (reply: FastifyReply, fileName: string, chunks: AsyncIterable<string>) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileName}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(chunks));

  const read = { preHandler: pageAuth('people:read') };

  return async (app) => {
    app.get('/people.csv', read, async (req, reply) => {
      const districtId = req.district.id;
      const filter = peopleFilterOf(peopleFiltersOf(req.query), domain.photos.photoFilter);
      const names = new Map((await domain.schools.listSchools(districtId)).map((s) => [s.code, s.name]));
      const chunks = csvChunks(PEOPLE_HEADER, domain.exports.peopleForExport(districtId, filter), peopleLines(names));
      return send(reply, csvFileName(req.district.slug, 'people'), chunks);
    });

    app.get('/devices.csv', read, (req, reply) => {
      const search = field(req.query, 'q');
      const sort = parseSort(field(req.query, 'sort'), ['assetTag'], { by: 'assetTag', dir: 'asc' });
      const chunks = csvChunks(DEVICES_HEADER, domain.exports.devicesForExport(req.district.id, { search, sort }), deviceLines);
      return send(reply, csvFileName(req.district.slug, 'devices'), chunks);
    });

    app.get('/incidents.csv', read, (req, reply) => {
      const status = field(req.query, 'status');
      const type = field(req.query, 'type');
      const filter = {
        status: isIncidentStatus(status) ? status : undefined,
        type: isIncidentType(type) ? type : undefined,
        sort: parseSort(field(req.query, 'sort'), ['opened'], { by: 'opened', dir: 'desc' }),
      };
      const chunks = csvChunks(INCIDENTS_HEADER, domain.exports.incidentsForExport(req.district.id, filter), incidentLines);
      return send(reply, csvFileName(req.district.slug, 'incidents'), chunks);
    });

    app.get<{ Params: { assetTag: string } }>('/devices/:assetTag/history.csv', read, async (req, reply) => {
      const device = await domain.devices.findDevice(req.district.id, req.params.assetTag);
      if (!device) return sendNotFound(req, reply, 'devices', `No device in ${req.district.name} has asset tag ${req.params.assetTag}.`);
      const chunks = csvChunks(HISTORY_HEADER, domain.exports.deviceHistoryForExport(req.district.id, device), historyLines);
      // A tag is letters, digits and dashes in practice; anything else stays out of the header's file name.
      const tag = device.assetTag.replace(/[^A-Za-z0-9._-]+/g, '_');
      return send(reply, csvFileName(req.district.slug, `device-${tag}-history`), chunks);
    });
  };
}
