import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import type { Checkout } from '../../checkouts/checkouts.js';
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
export function checkoutApi(domain: Pick<WebDomain, 'checkouts'>): FastifyPluginAsync {
  const { checkouts } = domain;
  const write = { preHandler: apiPermission('checkouts:write') };
  const checkoutBody = {
    type: 'object',
    required: ['assetTag', 'localId'],
    properties: { assetTag: tag, localId: { type: 'string', minLength: 1, maxLength: 64 } },
  };
  return async (app) => {
    app.post<{ Body: { assetTag: string; localId: string } }>('/checkouts', { ...write, schema: { body: checkoutBody } }, async (req, reply) => {
      const r = await checkouts.checkOut(req.district.id, { ...req.body, by: actorOf(req) });
      return reply.status(201).send(payload(r.checkout, r.device, r.person));
    });

    app.post<{ Body: { assetTag: string } }>(
      '/checkins',
      { ...write, schema: { body: { type: 'object', required: ['assetTag'], properties: { assetTag: tag } } } },
      async (req) => {
        const r = await checkouts.checkIn(req.district.id, { assetTag: req.body.assetTag, by: actorOf(req) });
        return payload(r.checkout, r.device, r.person);
      },
    );
  };
}
