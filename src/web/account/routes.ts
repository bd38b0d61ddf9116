import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import type { LoginGuard } from '../../loginGuard/loginGuard.js';
import { WrongCurrentPasswordError } from '../../staff/passwordChanges.js';
import type { SessionCache } from '../../staff/sessionCache.js';
import { CHANGE_PASSWORD_PATH, pageAuth, SESSION_COOKIE } from '../auth.js';
import { changedBy, csrfOf, formError, sendPage } from '../page.js';
import { changePasswordView } from './view.js';

export interface AccountDeps {
  domain: Pick<WebDomain, 'staff'>;
  /** The current password is counted like a sign-in, so a browser left signed in cannot be used to guess it. */
  guard: LoginGuard;
  /** The member's cached sessions are forgotten as the password changes, so photos follow at once on this node. */
  sessions: SessionCache;
}

/** A signed-in staff member's own account: changing their password (required after a one-time one). */
export function accountRoutes(deps: AccountDeps): FastifyPluginAsync {
  const { staff } = deps.domain;
  return async (app) => {
    app.get<{ Querystring: { changed?: string } }>(CHANGE_PASSWORD_PATH, { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const session = req.session!;
      const changed = req.query.changed === '1' && !session.staff.mustChangePassword;
      const body = changePasswordView({ flash: {}, csrf: csrfOf(req), mustChange: session.staff.mustChangePassword, changed });
      return sendPage(req, reply, { section: 'account', title: 'Change my password', body });
    });

    app.post(CHANGE_PASSWORD_PATH, { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const session = req.session!;
      try {
        // One check of the current password, by the change itself, counted like a sign-in: wrong ones from an
        // address lock it out as the sign-in page's do, and a locked address reads like a wrong password.
        const check = await deps.guard.checkPassword(req.ip, `web:${session.staff.email}`, async () => {
          try {
            return await staff.changeOwnPassword(
              {
                staffId: session.staff.id,
                // Passwords are taken as typed: spaces at either end may be meant.
                current: rawField(req.body, 'current'),
                next: rawField(req.body, 'next'),
                repeat: rawField(req.body, 'repeat'),
                keepCookie: req.cookies[SESSION_COOKIE] ?? '',
              },
              changedBy(req),
            );
          } catch (err) {
            if (err instanceof WrongCurrentPasswordError) return undefined;
            throw err;
          }
        });
        if (!check.ok) {
          await new Promise((r) => setTimeout(r, Math.min(check.delayMs, 2000)));
          throw new WrongCurrentPasswordError();
        }
      } catch (err) {
        const e = formError(err);
        const body = changePasswordView({ flash: { error: e.error }, csrf: csrfOf(req), mustChange: session.staff.mustChangePassword, changed: false });
        return sendPage(req, reply, { section: 'account', title: 'Change my password', body, status: e.status });
      }
      deps.sessions.forgetStaff(session.staff.id);
      return reply.redirect(`${CHANGE_PASSWORD_PATH}?changed=1`, 303);
    });
  };
}

const rawField = (o: unknown, name: string): string => {
  const v = (o as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};
