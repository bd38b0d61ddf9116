import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import type { DeliveryProblem } from '../../deliveries/deliveries.js';
import { isLanyardError } from '../../shared/errors.js';
import { pageAuth } from '../auth.js';
import { sendNotFound, sendPage } from '../page.js';
import { deliveryProblemsCsv, deliveryView } from './view.js';

/** A delivery's report page and its CSV; the desks list deliveries, this shows one. */
export function deliveryRoutes(domain: Pick<WebDomain, 'deliveries'>): FastifyPluginAsync {
  const { deliveries } = domain;
  const idOf = (raw: string): number | undefined => {
    const n = Number(raw);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  };

  return async (app) => {
    app.get<{ Params: { id: string } }>('/deliveries/:id', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const id = idOf(req.params.id);
      try {
        if (id === undefined) throw new Error('no id');
        const report = await deliveries.getDelivery(req.district.id, id);
        return await sendPage(req, reply, { section: 'photos', title: `Delivery ${report.id}`, body: deliveryView(report) });
      } catch (err) {
        if (id !== undefined && !isLanyardError(err)) throw err;
        return sendNotFound(req, reply, 'photos', `There is no delivery ${req.params.id} in this district.`);
      }
    });

    app.get<{ Params: { id: string } }>('/deliveries/:id/files.csv', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const id = idOf(req.params.id);
      const problems: DeliveryProblem[] = [];
      try {
        if (id === undefined) throw new Error('no id');
        for await (const p of deliveries.allDeliveryProblems(req.district.id, id)) problems.push(p);
      } catch (err) {
        if (id !== undefined && !isLanyardError(err)) throw err;
        return sendNotFound(req, reply, 'photos', `There is no delivery ${req.params.id} in this district.`);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.district.slug}-delivery-${id}.csv"`)
        .header('cache-control', 'no-store')
        .send(deliveryProblemsCsv(problems));
    });
  };
}
