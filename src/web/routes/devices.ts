import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../db/db.js';
import { createDevice, DEVICE_STATES, getDevice, updateDevice, type Device } from '../../devices/devices.js';
import type { DeviceHolderLookup } from '../deviceHolder.js';

export interface DeviceApiDeps {
  db: Db;
  holder: DeviceHolderLookup;
}

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
export async function devicePayload(deps: DeviceApiDeps, districtId: number, d: Device) {
  const out = await deps.holder(districtId, d.id);
  return {
    assetTag: d.assetTag,
    serialNumber: d.serialNumber,
    model: d.model,
    status: out ? 'checked-out' : d.state,
    checkedOutTo: out ? { localId: out.localId, since: out.since } : null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export function deviceRoutes(deps: DeviceApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { assetTag: string; serialNumber?: string; model?: string } }>('/devices', { schema: { body: deviceBody } }, async (req, reply) => {
      const d = await createDevice(deps.db, req.district.id, req.body);
      return reply.status(201).send(await devicePayload(deps, req.district.id, d));
    });

    app.get<{ Params: { assetTag: string } }>('/devices/:assetTag', async (req) => {
      const d = await getDevice(deps.db, req.district.id, req.params.assetTag);
      return devicePayload(deps, req.district.id, d);
    });

    app.patch<{ Params: { assetTag: string }; Body: { serialNumber?: string; model?: string; status?: string } }>(
      '/devices/:assetTag',
      {
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
        const d = await updateDevice(deps.db, req.district.id, req.params.assetTag, {
          serialNumber: req.body.serialNumber,
          model: req.body.model,
          state: req.body.status as Device['state'] | undefined,
        });
        return devicePayload(deps, req.district.id, d);
      },
    );
  };
}
