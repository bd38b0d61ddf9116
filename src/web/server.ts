import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { EventLoopDelay } from '../app/eventLoop.js';
import type { WebDomain } from '../app/webDomain.js';
import type { Dropbox } from '../dropbox/dropbox.js';
import type { HostKey } from '../hostKeys/hostKeys.js';
import type { LoginGuard } from '../loginGuard/loginGuard.js';
import { httpStatusFor, isLanyardError } from '../shared/errors.js';
import type { SessionCache } from '../staff/sessionCache.js';
import { checkoutApi } from './api/checkouts.js';
import { deviceApi } from './api/devices.js';
import { incidentApi } from './api/incidents.js';
import { intakeApi } from './api/intake.js';
import { peopleApi } from './api/people.js';
import { photoApi } from './api/photos.js';
import { apiAuth, loadSession, requireOwnPassword } from './auth.js';
import { deskRoutes } from './desk/routes.js';
import { deviceRoutes } from './devices/routes.js';
import { exportRoutes } from './exports/routes.js';
import { printoutRoutes } from './printouts/routes.js';
import { incidentRoutes } from './incidents/routes.js';
import { loginRoutes } from './login/routes.js';
import { accountRoutes } from './account/routes.js';
import { staffPasswordRoutes } from './settings/staffPasswordRoutes.js';
import { peopleRoutes } from './people/routes.js';
import { photoRoutes } from './photos/routes.js';
import { rosterRoutes } from './rosters/routes.js';
import { searchRoutes } from './search/routes.js';
import { securityHeaders } from './security.js';
import { settingsRoutes } from './settings/routes.js';
import { deliveriesApi } from './api/deliveries.js';
import { deliveryRoutes } from './deliveries/routes.js';

export interface WebDeps {
  /** Everything the pages and the API read and change, with the database already given (app/webDomain.ts). */
  domain: WebDomain;
  /** Sessions found a few seconds ago, for photo requests only (staff/sessionCache.ts). */
  sessions: SessionCache;
  /** Browser uploads go into the same drop box as SFTP ones. */
  dropbox: Dropbox;
  log: Logger;
  guard: LoginGuard;
  secureCookies: boolean;
  /** Proxies whose X-Forwarded-For names the browser's address (sign-in lockouts and the audit log use it). */
  trustedProxies?: readonly string[];
  hostKeys: HostKey[];
  /** What the settings page tells districts to connect to. */
  sftp: { host: string; port: number };
  /** How long a roster file sits unchanged before it is imported, for the Rosters desk's countdown. */
  rosterSettleSeconds: number;
  /** The event loop's recent delay, for /healthz (and the benches that read it). */
  health?: () => EventLoopDelay;
  /** True once the node is stopping (SIGTERM): /healthz answers 503. */
  draining?: () => boolean;
}

/** Shipped with the package: the app needs nothing from the internet. */
const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../public');

/** The web app: security headers, sessions, each page area's plugin, and the /api/v1 routes behind their auth. */
export function createWebServer(deps: WebDeps): FastifyInstance {
  const { domain, sessions } = deps;
  const app = Fastify({ loggerInstance: deps.log.child({ component: 'web' }) as FastifyBaseLogger, trustProxy: deps.trustedProxies?.length ? [...deps.trustedProxies] : false });

  app.setErrorHandler((err, req, reply) => {
    // `message` too: API clients look for either name.
    if (isLanyardError(err)) return reply.status(httpStatusFor(err.kind)).send({ error: err.message, message: err.message });
    const e = err as { validation?: unknown; statusCode?: number; message: string };
    if (e.validation) return reply.status(400).send({ error: e.message });
    if (e.statusCode && e.statusCode < 500) return reply.status(e.statusCode).send({ error: e.message });
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: 'Lanyard could not complete this request on its side. Try again in a minute.' });
  });

  securityHeaders(app);
  void app.register(fastifyCookie);
  void app.register(fastifyFormbody);
  void app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/assets/', cacheControl: true, maxAge: '1h', decorateReply: false });
  app.addHook('onRequest', loadSession(domain, sessions));
  app.addHook('onRequest', requireOwnPassword);

  // Unauthenticated, for load balancers: nothing in it is about a district.
  app.get('/healthz', async (_req, reply) => {
    const body = { ok: !deps.draining?.(), ...(deps.health ? { eventLoopDelayMs: deps.health() } : {}) };
    // A stopping node says so, and the load balancer sends new work elsewhere.
    return body.ok ? body : reply.status(503).send({ ...body, draining: true });
  });
  app.get('/', async (_req, reply) => reply.redirect('/people', 303));

  void app.register(loginRoutes({ domain, guard: deps.guard, secureCookies: deps.secureCookies, sessions }));
  void app.register(accountRoutes({ domain, guard: deps.guard, sessions }));
  void app.register(staffPasswordRoutes({ domain, sessions }));
  void app.register(settingsRoutes({ domain, hostKeys: deps.hostKeys, sftp: deps.sftp, sessions }));
  void app.register(peopleRoutes(domain));
  void app.register(deviceRoutes(domain));
  void app.register(deskRoutes(domain));
  void app.register(incidentRoutes(domain));
  void app.register(photoRoutes(domain, deps.dropbox));
  void app.register(rosterRoutes(domain, deps.dropbox, deps.rosterSettleSeconds));
  void app.register(deliveryRoutes(domain));
  void app.register(searchRoutes(domain));
  void app.register(exportRoutes(domain));
  void app.register(printoutRoutes(domain));

  void app.register(
    async (api) => {
      api.addHook('onRequest', apiAuth(domain));
      for (const routes of [intakeApi, deliveriesApi, deviceApi, checkoutApi, incidentApi, peopleApi, photoApi]) await api.register(routes(domain));
    },
    { prefix: '/api/v1' },
  );

  return app;
}
