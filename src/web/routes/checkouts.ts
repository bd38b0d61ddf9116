import type { FastifyPluginAsync } from 'fastify';
import { checkIn, checkOut, type Checkout } from '../../checkouts/checkouts.js';
import type { Db } from '../../db/db.js';
import type { Device } from '../../devices/devices.js';
import type { Person } from '../../people/people.js';
import { actorOf, apiPermission } from '../auth.js';

const tag = { type: 'string', minLength: 1, maxLength: 64 } as const;

const payload = (c: Checkout, d: Device, p: Person | undefined) => ({
  id: c.id,
  assetTag: d.assetTag,
  localId: p?.localId ?? null,
  checkedOutAt: c.checkedOutAt,
  checkedInAt: c.checkedIn?.at ?? null,
});

/** Check-out and check-in (CONTRACT.md): 201 and 200; refusals are 404 or 409 with the reason. */
export function checkoutRoutes(db: Db): FastifyPluginAsync {
  const write = { preHandler: apiPermission('checkouts:write') };
  return async (app) => {
    app.post<{ Body: { assetTag: string; localId: string } }>(
      '/checkouts',
      { ...write, schema: { body: { type: 'object', required: ['assetTag', 'localId'], properties: { assetTag: tag, localId: { type: 'string', minLength: 1, maxLength: 64 } } } } },
      async (req, reply) => {
        const r = await checkOut(db, req.district.id, { ...req.body, by: actorOf(req) });
        return reply.status(201).send(payload(r.checkout, r.device, r.person));
      },
    );

    app.post<{ Body: { assetTag: string } }>(
      '/checkins',
      { ...write, schema: { body: { type: 'object', required: ['assetTag'], properties: { assetTag: tag } } } },
      async (req) => {
        const r = await checkIn(db, req.district.id, { assetTag: req.body.assetTag, by: actorOf(req) });
        return payload(r.checkout, r.device, r.person);
      },
    );
  };
}
