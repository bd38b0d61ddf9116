import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../db/db.js';
import type { LoginGuard } from '../../loginGuard/loginGuard.js';
import type { SessionCache } from '../../staff/sessionCache.js';
import { csrfMatches, endSession, startSession } from '../../staff/sessions.js';
import { verifyStaffLogin } from '../../staff/staff.js';
import { SESSION_COOKIE } from '../auth.js';
import { html } from '../html.js';
import { bare } from '../layout.js';

export interface LoginDeps {
  db: Db;
  guard: LoginGuard;
  secureCookies: boolean;
  /** Forgets a session as it ends, so that not even a photo loads with it afterwards. */
  sessions: SessionCache;
}

function form(opts: { email?: string; error?: string; next?: string }) {
  return bare(
    'Sign in',
    html`<form class="card login" method="post" action="/login">
  <h1>Sign in to Lanyard</h1>
  ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
  <input type="hidden" name="next" value="${opts.next ?? ''}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required autofocus value="${opts.email ?? ''}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>`,
  );
}

/** Only paths inside the app, so a link cannot bounce a person to another site after signing in. */
const safeNext = (n: unknown) => (typeof n === 'string' && /^\/[^/\\]/.test(n) ? n : '/people');

export function loginPages(deps: LoginDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { next?: string } }>('/login', async (req, reply) => {
      if (req.session) return reply.redirect(safeNext(req.query.next), 303);
      return reply.type('text/html').send(form({ next: req.query.next ?? '' }).toString());
    });

    app.post<{ Body: { email?: string; password?: string; next?: string } }>('/login', async (req, reply) => {
      const email = String(req.body?.email ?? '').trim();
      const password = String(req.body?.password ?? '');
      const next = safeNext(req.body?.next);
      const subject = `web:${email.toLowerCase()}`;
      if (await deps.guard.isLocked(req.ip, subject)) {
        return reply
          .status(429)
          .type('text/html')
          .send(form({ email, next, error: 'Too many failed sign-ins: wait 15 minutes, or ask an admin to reset your password.' }).toString());
      }
      const staff = email && password ? await verifyStaffLogin(deps.db, email, password) : undefined;
      if (!staff) {
        const delay = await deps.guard.recordFailure(req.ip, subject);
        await new Promise((r) => setTimeout(r, Math.min(delay, 2000)));
        return reply.status(401).type('text/html').send(form({ email, next, error: 'That email and password do not match. Check both and try again.' }).toString());
      }
      await deps.guard.recordSuccess(subject);
      const { cookie } = await startSession(deps.db, staff);
      reply.setCookie(SESSION_COOKIE, cookie, { path: '/', httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, maxAge: 12 * 3600 });
      return reply.redirect(next, 303);
    });

    app.post<{ Body: { _csrf?: string } }>('/logout', async (req, reply) => {
      if (req.session && !csrfMatches(req.session, req.body?._csrf)) {
        return reply.status(403).type('text/plain').send('This form has expired: go back, reload the page and sign out again.');
      }
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) {
        await endSession(deps.db, cookie);
        deps.sessions.forget(cookie);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/login', 303);
    });
  };
}
