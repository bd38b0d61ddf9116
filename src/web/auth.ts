import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../app/webDomain.js';
import type { District } from '../districts/districts.js';
import { can, type Permission } from '../staff/roles.js';
import type { SessionCache } from '../staff/sessionCache.js';
import { csrfMatches, type WebSession } from '../staff/sessions.js';

export const SESSION_COOKIE = 'lanyard_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The district every query of this request is limited to. */
    district: District;
    /** Present when a person is signed in through the browser. */
    session: WebSession | undefined;
  }
  interface FastifyContextConfig {
    /**
     * A read-only route whose answer never depends on the signed-in staff
     * member's role, asked for by the hundred (photos): it may trust a session
     * found a few seconds ago (staff/sessionCache.ts says what that costs).
     */
    recentSessionIsEnough?: boolean;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SAFE = new Set(['GET', 'HEAD']);

/** Finds who is asking: a signed-in browser session (cookie), or nobody. Runs on every request. */
export function loadSession(domain: Pick<WebDomain, 'staff' | 'districts'>, recent: SessionCache) {
  return async (req: FastifyRequest) => {
    const cookie = req.cookies[SESSION_COOKIE];
    req.session = undefined;
    if (!cookie) return;
    if (req.routeOptions.config.recentSessionIsEnough && SAFE.has(req.method)) {
      const found = await recent.resolve(cookie);
      if (found) [req.session, req.district] = [found.session, found.district];
      return;
    }
    req.session = await domain.staff.resolveSession(cookie);
    if (req.session) req.district = await domain.districts.getDistrictById(req.session.staff.districtId);
  };
}

export const CHANGE_PASSWORD_PATH = '/account/password';

/** What someone still holding a one-time password may open besides the change-password page. */
const OPEN_WHILE_CHANGING = new Set([CHANGE_PASSWORD_PATH, '/logout', '/login', '/healthz']);

const MUST_CHANGE =
  'You signed in with a one-time password: choose your own password first, on the "Change my password" page (/account/password), and then try again.';

/**
 * After signing in with a one-time password (an invite or a reset), every page
 * leads to the change-password page until a new password is set; the API
 * answers 403 with a sentence saying so. A bearer token acts for the district,
 * not the person, and is not held back.
 */
export async function requireOwnPassword(req: FastifyRequest, reply: FastifyReply) {
  if (!req.session?.staff.mustChangePassword) return;
  const path = req.url.split('?')[0] ?? '';
  if (OPEN_WHILE_CHANGING.has(path) || path.startsWith('/assets/')) return;
  // The API decides in apiAuth, which alone knows whether the request acts by a token or by this session.
  if (path.startsWith('/api/')) return;
  if (SAFE.has(req.method)) return reply.redirect(CHANGE_PASSWORD_PATH, 303);
  return reply.status(403).type('text/plain').send(MUST_CHANGE);
}

/**
 * /api/v1: a bearer token, or a signed-in session. A session changing
 * anything must also send its CSRF token (header x-csrf-token), since the
 * browser would attach the cookie to a forged request too.
 */
export function apiAuth(domain: Pick<WebDomain, 'districts'>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (m) {
      const district = await domain.districts.districtForToken(m[1]!);
      if (district) {
        req.district = district;
        return;
      }
    } else if (req.session) {
      if (req.session.staff.mustChangePassword) return reply.status(403).send({ error: MUST_CHANGE });
      if (UNSAFE.has(req.method) && !csrfMatches(req.session, header(req, 'x-csrf-token'))) {
        return reply.status(403).send({ error: 'This request is missing its security token: reload the page and try again.' });
      }
      return;
    }
    return reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: 'Sign in first: send an API token as "Authorization: Bearer <token>" (make one with "lanyard token create <district>").' });
  };
}

/** Pages: signed in, or off to the sign-in page; forms must carry the CSRF token. */
export function pageAuth(permission: Permission = 'people:read') {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.session) {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.url)}` : '';
      return reply.redirect(`/login${next}`, 303);
    }
    if (UNSAFE.has(req.method)) {
      const body = req.body as Record<string, unknown> | undefined;
      const token = typeof body?._csrf === 'string' ? body._csrf : header(req, 'x-csrf-token');
      if (!csrfMatches(req.session, token)) {
        return reply.status(403).type('text/plain').send('This form has expired or did not come from Lanyard: go back, reload the page and try again.');
      }
    }
    if (!can(req.session.staff.role, permission)) {
      return reply.status(403).type('text/plain').send(`Your role (${req.session.staff.role}) cannot do this: ask a Lanyard admin of your district.`);
    }
  };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * An /api/v1 change only some roles may make. A signed-in viewer gets 403; an
 * API token acts for the district as a whole, like an admin.
 */
export function apiPermission(permission: Permission) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.session && !can(req.session.staff.role, permission)) {
      return reply.status(403).send({ error: `Your role (${req.session.staff.role}) cannot do this: ask a Lanyard admin of your district.` });
    }
  };
}

/** Who made a change, for history: the staff member's email, or "api" for a token. */
export const actorOf = (req: FastifyRequest): string => req.session?.staff.email ?? 'api';
