import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import type { SessionCache } from '../../staff/sessionCache.js';
import { pageAuth } from '../auth.js';
import { changedBy, csrfOf, formError, sendNotFound, sendPage } from '../page.js';
import { confirmResetView, resetDoneView } from './staffPasswordView.js';

export interface StaffPasswordDeps {
  domain: Pick<WebDomain, 'staff'>;
  /** The colleague's cached sessions are forgotten here too, so not even a photo loads with them. */
  sessions: SessionCache;
}

const GONE = 'That staff account no longer exists.';

/**
 * An admin resets a colleague's password: a confirmation page (GET), the
 * reset (POST, answered with a redirect), then the new one-time password on
 * a page that shows it once (staff/passwordReveal.ts), so reloading it never
 * resets again.
 */
export function staffPasswordRoutes(deps: StaffPasswordDeps): FastifyPluginAsync {
  const { staff } = deps.domain;
  const staffAdmin = { preHandler: pageAuth('staff:manage') };

  /** The colleague in this district, or undefined (another district's reads the same as none). */
  async function colleague(req: FastifyRequest<{ Params: { id: string } }>) {
    const id = Number(req.params.id);
    const member = Number.isSafeInteger(id) ? await staff.findStaff(id) : undefined;
    return member && member.districtId === req.district.id ? member : undefined;
  }

  const confirmPage = (req: FastifyRequest, reply: FastifyReply, p: { id: number; email: string; error?: string }, status = 200) =>
    sendPage(req, reply, { section: 'settings', title: 'Reset a password', body: confirmResetView({ csrf: csrfOf(req), ...p }), status });

  return async (app) => {
    app.get<{ Params: { id: string } }>('/settings/staff/:id/reset-password', staffAdmin, async (req, reply) => {
      const member = await colleague(req);
      if (!member) return sendNotFound(req, reply, 'settings', GONE);
      if (member.id === req.session!.staff.id) {
        return confirmPage(req, reply, { id: member.id, email: member.email, error: 'You cannot reset your own password here: use "Change my password" at the top of the page.' }, 409);
      }
      return confirmPage(req, reply, { id: member.id, email: member.email });
    });

    app.post<{ Params: { id: string } }>('/settings/staff/:id/reset-password', staffAdmin, async (req, reply) => {
      const member = await colleague(req);
      if (!member) return sendNotFound(req, reply, 'settings', GONE);
      const me = req.session!.staff.id;
      try {
        const reset = await staff.resetStaffPassword({ districtId: req.district.id, staffId: member.id, byStaffId: me }, changedBy(req));
        deps.sessions.forgetStaff(member.id);
        const token = await staff.sealReveal(me, { email: reset.member.email, password: reset.password, passwordExpiresAt: reset.expiresAt });
        return reply.redirect(`/settings/password-reset/${token}`, 303);
      } catch (err) {
        const e = formError(err);
        return confirmPage(req, reply, { id: member.id, email: member.email, error: e.error }, e.status);
      }
    });

    app.get<{ Params: { token: string } }>('/settings/password-reset/:token', staffAdmin, async (req, reply) => {
      const shown = await staff.openReveal(req.session!.staff.id, req.params.token);
      return sendPage(req, reply, { section: 'settings', title: 'Reset a password', body: resetDoneView({ shown }) });
    });
  };
}
