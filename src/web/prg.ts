import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../app/webDomain.js';
import { SESSION_COOKIE } from './auth.js';
import type { Flash } from './views/flash.js';

/**
 * POST/redirect/GET. A form that changed something answers 303 to the page to
 * show, so a reload repeats only the GET. What the POST has to say travels as
 * a one-use flash kept server-side (staff/flashes.ts), named by `?flash=` in
 * the redirect: any node can read it, only this session can, and only once.
 * A refused form (a LanyardError) does not come here: it is shown again with
 * its 4xx status and its values, and since nothing changed a re-send repeats
 * nothing (docs/ARCHITECTURE.md, "Forms").
 */
export interface Prg {
  /** 303 to `location`, carrying `flash` when it says anything. */
  redirect(req: FastifyRequest, reply: FastifyReply, location: string, flash?: Flash): Promise<FastifyReply>;
  /** The flash this GET's `?flash=` names, once; `{}` when there is none (a reload, another session, expired). */
  take(req: FastifyRequest): Promise<Flash>;
}

export function prg(flashes: WebDomain['flashes']): Prg {
  return {
    async redirect(req, reply, location, flash = {}) {
      const cookie = req.cookies[SESSION_COOKIE];
      let to = location;
      if (cookie && (flash.notice || flash.error || flash.secret)) {
        const id = await flashes.putFlash(cookie, flash);
        to += `${location.includes('?') ? '&' : '?'}flash=${id}`;
      }
      return reply.redirect(to, 303);
    },
    async take(req) {
      const id = (req.query as Record<string, unknown> | undefined)?.flash;
      const cookie = req.cookies[SESSION_COOKIE];
      if (typeof id !== 'string' || !cookie) return {};
      return (await flashes.takeFlash(cookie, id)) ?? {};
    },
  };
}
