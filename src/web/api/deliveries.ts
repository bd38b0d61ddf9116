import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { MAX_DELIVERIES_PAGE, type DeliverySummary } from '../../deliveries/deliveries.js';

/** The API's delivery (CONTRACT.md), with a little more for integrations. */
const toApi = (d: DeliverySummary) => ({
  id: d.id,
  source: d.source,
  by: d.by,
  startedAt: d.startedAt,
  endedAt: d.endedAt,
  finishedAt: d.finishedAt,
  parentId: d.parentId,
  files: d.files,
  counts: d.counts,
});

/** Deliveries newest first (a page after `before`), and one with the files that were not simply linked. */
export function deliveriesApi(domain: Pick<WebDomain, 'deliveries'>): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { before?: number; limit?: number } }>(
      '/deliveries',
      {
        schema: {
          querystring: {
            type: 'object',
            properties: {
              before: { type: 'integer', minimum: 1 },
              limit: { type: 'integer', minimum: 1, maximum: MAX_DELIVERIES_PAGE, default: MAX_DELIVERIES_PAGE },
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const list = await domain.deliveries.listDeliveries(req.district.id, { before: req.query.before, limit: req.query.limit ?? MAX_DELIVERIES_PAGE });
        return { deliveries: list.map(toApi) };
      },
    );

    app.get<{ Params: { id: number } }>(
      '/deliveries/:id',
      { schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } } },
      async (req) => {
        const d = await domain.deliveries.getDelivery(req.district.id, req.params.id);
        return { ...toApi(d), problems: d.problems, moreProblems: d.moreProblems, packages: d.packages.map(toApi) };
      },
    );
  };
}
