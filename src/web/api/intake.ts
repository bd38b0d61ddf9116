import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { MAX_EVENTS_PAGE } from '../../intake/events.js';

/** The intake's events (CONTRACT.md), oldest first after a cursor, for integrations following along. */
export function intakeApi(domain: Pick<WebDomain, 'intake'>): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { after?: number; limit?: number } }>(
      '/intake/events',
      {
        schema: {
          querystring: {
            type: 'object',
            properties: {
              after: { type: 'integer', minimum: 0, default: 0 },
              limit: { type: 'integer', minimum: 1, maximum: MAX_EVENTS_PAGE, default: MAX_EVENTS_PAGE },
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const events = await domain.intake.listEvents(req.district.id, req.query.after ?? 0, req.query.limit ?? MAX_EVENTS_PAGE);
        const last = events[events.length - 1];
        return { events, next: last ? last.id : (req.query.after ?? 0), more: events.length === (req.query.limit ?? MAX_EVENTS_PAGE) };
      },
    );
  };
}
