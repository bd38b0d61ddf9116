import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/blobStore.js';
import type { Db } from '../db/db.js';
import type { Dropbox } from '../dropbox/dropbox.js';
import type { HostKey } from '../hostKeys/hostKeys.js';
import type { LoginGuard } from '../loginGuard/loginGuard.js';
import { httpStatusFor, isLanyardError } from '../shared/errors.js';
import { createSessionCache } from '../staff/sessionCache.js';
import { apiAuth, loadSession } from './auth.js';
import { deskPages } from './pages/desk.js';
import { devicePages } from './pages/devices.js';
import { incidentPages } from './pages/incidents.js';
import { loginPages } from './pages/login.js';
import { peoplePages } from './pages/people.js';
import { photoPages } from './pages/photos.js';
import { rosterPages } from './pages/rosters.js';
import { settingsPages } from './pages/settings.js';
import { checkoutRoutes } from './routes/checkouts.js';
import { deviceRoutes } from './routes/devices.js';
import { incidentRoutes } from './routes/incidents.js';
import { intakeRoutes } from './routes/intake.js';
import { peopleRoutes } from './routes/people.js';
import { photoRoutes } from './routes/photos.js';
import { securityHeaders } from './security.js';
import { photoFaces } from './views/faces.js';

export interface WebDeps {
  db: Db;
  /** Where photos (and, for the guard's override, rosters) are read from. */
  blobs: BlobStore;
  /** Browser uploads go into the same drop box as SFTP ones. */
  dropbox: Dropbox;
  log: Logger;
  guard: LoginGuard;
  secureCookies: boolean;
  hostKeys: HostKey[];
  /** What the settings page tells districts to connect to. */
  sftp: { host: string; port: number };
}

/** Shipped with the package: the app needs nothing from the internet. */
const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../public');

export function createWebServer(deps: WebDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.log.child({ component: 'web' }) as FastifyBaseLogger, trustProxy: false });

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
  // Photos only; see staff/sessionCache.ts for why and what it costs.
  const sessions = createSessionCache(deps.db, { ttlMs: 5_000, max: 10_000 });
  app.addHook('onRequest', loadSession(deps.db, sessions));

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/', async (_req, reply) => reply.redirect('/people', 303));

  void app.register(loginPages({ db: deps.db, guard: deps.guard, secureCookies: deps.secureCookies, sessions }));
  void app.register(settingsPages({ db: deps.db, hostKeys: deps.hostKeys, sftp: deps.sftp, sessions }));
  const faces = photoFaces(deps.db);
  for (const pages of [peoplePages, devicePages, deskPages, incidentPages]) void app.register(pages({ db: deps.db, faces }));
  void app.register(photoPages({ db: deps.db, faces, dropbox: deps.dropbox }));
  void app.register(rosterPages({ db: deps.db, faces, dropbox: deps.dropbox, blobs: deps.blobs }));

  void app.register(
    async (api) => {
      api.addHook('onRequest', apiAuth(deps.db));
      await api.register(intakeRoutes(deps.db));
      await api.register(deviceRoutes(deps.db));
      await api.register(checkoutRoutes(deps.db));
      await api.register(incidentRoutes(deps.db));
      await api.register(peopleRoutes(deps.db));
      await api.register(photoRoutes(deps.db, deps.blobs));
    },
    { prefix: '/api/v1' },
  );

  return app;
}
