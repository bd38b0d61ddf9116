import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../db/db.js';
import { findDeviceById } from '../../devices/devices.js';
import { getIncident, INCIDENT_STATUSES, INCIDENT_TYPES, openIncident, updateIncident, type Incident } from '../../incidents/incidents.js';
import { findPersonById } from '../../people/people.js';
import { actorOf, apiPermission } from '../auth.js';

async function payload(db: Db, districtId: number, i: Incident) {
  const [device, person] = await Promise.all([findDeviceById(db, districtId, i.deviceId), findPersonById(db, districtId, i.personId)]);
  return {
    id: i.id,
    assetTag: device?.assetTag ?? null,
    localId: person?.localId ?? null,
    type: i.type,
    status: i.status,
    description: i.description,
    openedAt: i.openedAt,
    updatedAt: i.updatedAt,
  };
}

/** Incidents (CONTRACT.md): open one for a device and its person; read it; change its status or add a note. */
export function incidentRoutes(db: Db): FastifyPluginAsync {
  const write = { preHandler: apiPermission('incidents:write') };
  return async (app) => {
    app.post<{ Body: { assetTag: string; localId: string; type: string; description?: string } }>(
      '/incidents',
      {
        ...write,
        schema: {
          body: {
            type: 'object',
            required: ['assetTag', 'localId', 'type'],
            properties: {
              assetTag: { type: 'string', minLength: 1, maxLength: 64 },
              localId: { type: 'string', minLength: 1, maxLength: 64 },
              type: { type: 'string', enum: [...INCIDENT_TYPES] },
              description: { type: 'string', maxLength: 4000 },
            },
          },
        },
      },
      async (req, reply) => {
        const i = await openIncident(db, req.district.id, { ...req.body, description: req.body.description ?? '', by: actorOf(req) });
        return reply.status(201).send(await payload(db, req.district.id, i));
      },
    );

    app.get<{ Params: { id: string } }>('/incidents/:id', async (req) => {
      const i = await getIncident(db, req.district.id, Number(req.params.id));
      return payload(db, req.district.id, i);
    });

    app.post<{ Params: { id: string }; Body: { status?: string; note?: string } }>(
      '/incidents/:id/notes',
      {
        ...write,
        schema: {
          body: {
            type: 'object',
            properties: { status: { type: 'string', enum: [...INCIDENT_STATUSES] }, note: { type: 'string', maxLength: 4000 } },
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const i = await updateIncident(db, req.district.id, Number(req.params.id), { ...req.body, by: actorOf(req) });
        return reply.status(201).send(await payload(db, req.district.id, i));
      },
    );
  };
}
