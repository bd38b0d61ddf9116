import type { FastifyPluginAsync } from 'fastify';
import { deviceHolder } from '../../checkouts/checkouts.js';
import type { Db } from '../../db/db.js';
import { createDevice, DEVICE_STATES, getDevice, updateDevice, type Device } from '../../devices/devices.js';
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

/** The contract's device resource: stored fields, plus who has it now (derived from the open check-out). */
export async function devicePayload(db: Db, districtId: number, d: Device) {
  const out = await deviceHolder(db, districtId, d.id);
  return {
    assetTag: d.assetTag,
    serialNumber: d.serialNumber,
    model: d.model,
    status: out ? 'checked-out' : d.state,
    checkedOutTo: out ? { localId: out.person.localId, since: out.checkout.checkedOutAt } : null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export function deviceRoutes(db: Db): FastifyPluginAsync {
  const write = { preHandler: apiPermission('devices:write') };
  return async (app) => {
    app.post<{ Body: { assetTag: string; serialNumber?: string; model?: string } }>('/devices', { ...write, schema: { body: deviceBody } }, async (req, reply) => {
      const d = await createDevice(db, req.district.id, req.body);
      return reply.status(201).send(await devicePayload(db, req.district.id, d));
    });

    app.get<{ Params: { assetTag: string } }>('/devices/:assetTag', async (req) => {
      const d = await getDevice(db, req.district.id, req.params.assetTag);
      return devicePayload(db, req.district.id, d);
    });

    app.patch<{ Params: { assetTag: string }; Body: { serialNumber?: string; model?: string; status?: Device['state'] } }>(
      '/devices/:assetTag',
      {
        ...write,
        schema: {
          body: {
            type: 'object',
            properties: {
              serialNumber: { type: 'string', maxLength: 128 },
              model: { type: 'string', maxLength: 128 },
              status: { type: 'string', enum: [...DEVICE_STATES] },
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const d = await updateDevice(db, req.district.id, req.params.assetTag, {
          serialNumber: req.body.serialNumber,
          model: req.body.model,
          state: req.body.status,
        });
        return devicePayload(db, req.district.id, d);
      },
    );
  };
}
