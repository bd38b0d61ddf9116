import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import type { LoginGuard } from '../../loginGuard/loginGuard.js';
import type { SessionCache } from '../../staff/sessionCache.js';
import { csrfMatches } from '../../staff/sessions.js';
import { ONE_TIME_DAYS } from '../../staff/staff.js';
import { CHANGE_PASSWORD_PATH, SESSION_COOKIE } from '../auth.js';
import { sendHtml } from '../page.js';
import { loginView } from './view.js';

export interface LoginDeps {
  domain: Pick<WebDomain, 'staff'>;
  guard: LoginGuard;
  secureCookies: boolean;
  /** Forgets a session as it ends, so that not even a photo loads with it afterwards. */
  sessions: SessionCache;
}

const HERE = 'http://lanyard.invalid';

/**
 * Only places inside the app, so a link cannot bounce a person to another site
 * after signing in. Resolved as a browser would (which drops tabs and line
 * breaks, so `/\t/evil.example` is `//evil.example`), never matched by pattern.
 */
export function safeNext(n: unknown): string {
  if (typeof n !== 'string' || n === '') return '/people';
  let u: URL;
  try {
    u = new URL(n, `${HERE}/`);
  } catch {
    return '/people';
  }
  return u.origin === HERE ? `${u.pathname}${u.search}${u.hash}` : '/people';
}

/**
 * A sign-in form posted from another site (login CSRF: signing a technician
 * into an attacker's account) is refused. Browsers send Origin with every
 * form POST; a client that sends none (a script) is not a browser to trick.
 */
function fromAnotherSite(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

/** Signing in (with the login guard's counting and lockouts) and out. */
export function loginRoutes(deps: LoginDeps): FastifyPluginAsync {
  const { staff } = deps.domain;
  return async (app) => {
    app.get<{ Querystring: { next?: string } }>('/login', async (req, reply) => {
      if (req.session) return reply.redirect(safeNext(req.query.next), 303);
      return sendHtml(reply, loginView({ next: req.query.next ?? '' }));
    });

    app.post<{ Body: { email?: string; password?: string; next?: string } }>('/login', async (req, reply) => {
      if (fromAnotherSite(req.headers.origin, req.headers.host)) {
        return reply.status(403).type('text/plain').send('This sign-in form came from another site. Open Lanyard\'s own sign-in page and sign in there.');
      }
      const email = String(req.body?.email ?? '').trim();
      const password = String(req.body?.password ?? '');
      const next = safeNext(req.body?.next);
      // Only the address is ever locked out, and a locked address reads exactly like a wrong password:
      // a guesser elsewhere can never keep a technician out of their own account.
      const check = await deps.guard.checkPassword(req.ip, `web:${email.toLowerCase()}`, async () =>
        email && password ? staff.verifyStaffLogin(email, password) : undefined,
      );
      if (!check.ok) {
        await new Promise((r) => setTimeout(r, Math.min(check.delayMs, 2000)));
        return sendHtml(reply, loginView({ email, next, error: 'That email and password do not match. Check both and try again.' }), 401);
      }
      const { member, oneTimeExpired } = check.value;
      if (oneTimeExpired) {
        const error = `This one-time password has expired (they work for ${ONE_TIME_DAYS} days). Ask a Lanyard admin of your district to reset your password.`;
        return sendHtml(reply, loginView({ email, next, error }), 401);
      }
      const { cookie } = await staff.startSession(member);
      reply.setCookie(SESSION_COOKIE, cookie, { path: '/', httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, maxAge: 12 * 3600 });
      // A one-time password is replaced before anything else (auth.ts keeps every other page closed until then).
      return reply.redirect(member.mustChangePassword ? CHANGE_PASSWORD_PATH : next, 303);
    });

    app.post<{ Body: { _csrf?: string } }>('/logout', async (req, reply) => {
      if (req.session && !csrfMatches(req.session, req.body?._csrf)) {
        return reply.status(403).type('text/plain').send('This form has expired: go back, reload the page and sign out again.');
      }
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) {
        await staff.endSession(cookie);
        deps.sessions.forget(cookie);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/login', 303);
    });
  };
}
