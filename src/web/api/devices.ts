import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { DEVICE_STATES, type Device } from '../../devices/devices.js';
import { apiPermission } from '../auth.js';

const deviceBody = {
  type: 'object',
  required: ['assetTag'],
  properties: {
    assetTag: { type: 'string', minLength: 1, maxLength: 64 },
    serialNumber: { type: 'string', maxLength: 128 },
    model: { type: 'string', maxLength: 128 },
  },
} as const;

const patchBody = {
  type: 'object',
  properties: {
    serialNumber: { type: 'string', maxLength: 128 },
    model: { type: 'string', maxLength: 128 },
    status: { type: 'string', enum: [...DEVICE_STATES] },
  },
  additionalProperties: false,
} as const;

/** Devices (CONTRACT.md): stored fields, plus who has each now (derived from the open check-out). */
export function deviceApi(domain: Pick<WebDomain, 'devices' | 'checkouts'>): FastifyPluginAsync {
  const { devices } = domain;
  const write = { preHandler: apiPermission('devices:write') };

  const payload = async (districtId: number, d: Device) => {
    const out = await domain.checkouts.deviceHolder(districtId, d.id);
    return {
      assetTag: d.assetTag,
      serialNumber: d.serialNumber,
      model: d.model,
      status: out ? 'checked-out' : d.state,
      checkedOutTo: out ? { localId: out.person.localId, since: out.checkout.checkedOutAt } : null,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  };

  return async (app) => {
    app.post<{ Body: { assetTag: string; serialNumber?: string; model?: string } }>(
      '/devices',
      { ...write, schema: { body: deviceBody } },
      async (req, reply) => {
        const d = await devices.createDevice(req.district.id, req.body);
        return reply.status(201).send(await payload(req.district.id, d));
      },
    );

    app.get<{ Params: { assetTag: string } }>('/devices/:assetTag', async (req) => {
      const d = await devices.getDevice(req.district.id, req.params.assetTag);
      return payload(req.district.id, d);
    });

    app.patch<{ Params: { assetTag: string }; Body: { serialNumber?: string; model?: string; status?: Device['state'] } }>(
      '/devices/:assetTag',
      { ...write, schema: { body: patchBody } },
      async (req) => {
        const changes = { serialNumber: req.body.serialNumber, model: req.body.model, state: req.body.status };
        const d = await devices.updateDevice(req.district.id, req.params.assetTag, changes);
        return payload(req.district.id, d);
      },
    );
  };
}
