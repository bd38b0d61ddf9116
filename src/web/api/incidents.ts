import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { INCIDENT_STATUSES, INCIDENT_TYPES, type Incident } from '../../incidents/incidents.js';
import { actorOf, apiPermission } from '../auth.js';

const openBody = {
  type: 'object',
  required: ['assetTag', 'localId', 'type'],
  properties: {
    assetTag: { type: 'string', minLength: 1, maxLength: 64 },
    localId: { type: 'string', minLength: 1, maxLength: 64 },
    type: { type: 'string', enum: [...INCIDENT_TYPES] },
    description: { type: 'string', maxLength: 4000 },
  },
} as const;

const noteBody = {
  type: 'object',
  properties: { status: { type: 'string', enum: [...INCIDENT_STATUSES] }, note: { type: 'string', maxLength: 4000 } },
  additionalProperties: false,
} as const;

/** Incidents (CONTRACT.md): open one for a device and its person; read it; change its status or add a note. */
export function incidentApi(domain: Pick<WebDomain, 'incidents' | 'devices' | 'people'>): FastifyPluginAsync {
  const { incidents } = domain;
  const write = { preHandler: apiPermission('incidents:write') };

  const payload = async (districtId: number, i: Incident) => {
    const [device, person] = await Promise.all([
      domain.devices.findDeviceById(districtId, i.deviceId),
      domain.people.findPersonById(districtId, i.personId),
    ]);
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
  };

  return async (app) => {
    app.post<{ Body: { assetTag: string; localId: string; type: string; description?: string } }>(
      '/incidents',
      { ...write, schema: { body: openBody } },
      async (req, reply) => {
        const i = await incidents.openIncident(req.district.id, { ...req.body, description: req.body.description ?? '', by: actorOf(req) });
        return reply.status(201).send(await payload(req.district.id, i));
      },
    );

    app.get<{ Params: { id: string } }>('/incidents/:id', async (req) => {
      const i = await incidents.getIncident(req.district.id, Number(req.params.id));
      return payload(req.district.id, i);
    });

    app.post<{ Params: { id: string }; Body: { status?: string; note?: string } }>(
      '/incidents/:id/notes',
      { ...write, schema: { body: noteBody } },
      async (req, reply) => {
        const i = await incidents.updateIncident(req.district.id, Number(req.params.id), { ...req.body, by: actorOf(req) });
        return reply.status(201).send(await payload(req.district.id, i));
      },
    );
  };
}
