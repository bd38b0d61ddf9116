import { withReadCache } from '../blobs/readCache.js';
import type { Config } from '../config/config.js';
import { loadHostKeys, type HostKey } from '../hostKeys/hostKeys.js';
import { createLoginGuard } from '../loginGuard/loginGuard.js';
import { createSftpServer } from '../sftp/server.js';
import { createSessionCache } from '../staff/sessionCache.js';
import { createWebServer } from '../web/server.js';
import { startIntakeWorker, type IntakeWorker } from '../intake/worker.js';
import { decoderProcesses, type PhotoDecoder } from '../photos/decoder.js';
import { linkWaitingPhotos } from '../photos/waiting.js';
import { startDailyImports } from '../roster/index.js';
import { startMailPush } from '../mail/push.js';
import { startDeliveryLiveness } from '../deliveries/liveness.js';
import { startWebhookPush } from '../webhooks/push.js';
import { watchEventLoop } from './eventLoop.js';
import { intakeHandlers } from './intake.js';
import { createWebDomain } from './webDomain.js';
import { createLogger, openServices } from './services.js';
import { startRetention, type RetentionSchedule } from '../retention/schedule.js';

/** Uploads this recent still count as a client's upload in progress (the gap between two files of one `put`). */
const EDGE_QUIET_MS = 300;

export interface RunningServer {
  sftpPort: number;
  httpPort: number;
  hostKeys: HostKey[];
  districtCount(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the SFTP server and the web app in one process. Prints one plain line
 * per listener (CONTRACT.md) once it accepts connections.
 */
export async function startServer(config: Config, print: (line: string) => void): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  let worker: IntakeWorker | undefined;
  let decoder: PhotoDecoder | undefined;
  const eventLoop = watchEventLoop();
  let draining = false;
  let daily: { stop(): Promise<void> } | undefined;
  let pushes: { stop(): Promise<void> } | undefined;
  let mails: { stop(): Promise<void> } | undefined;
  let liveness: { stop(): Promise<void> } | undefined;
  let retention: RetentionSchedule | undefined;
  // When this node last recorded an upload: a client's files come one after another, with a moment between them.
  let lastUploadAt = 0;
  const services = await openServices(config, log, {
    onEvents: () => {
      lastUploadAt = Date.now();
      worker?.poke();
    },
  });
  const { db, blobs } = services;
  try {
    const hostKeys = await loadHostKeys(db);
    const swept = await blobs.sweepIncomplete();
    if (swept > 0) log.info({ swept }, 'removed uploads left unfinished by the last run');

    const guard = createLoginGuard(db, {
      failuresPerAddress: config.sftp.loginFailuresPerAddress,
      lockoutSeconds: config.sftp.loginLockoutSeconds,
    });
    const sftp = createSftpServer({
      config: config.sftp,
      db,
      dropbox: services.dropbox,
      hostKeys,
      guard,
      audit: services.audit,
      log: log.child({ component: 'sftp' }),
      trustedProxies: config.trustedProxies,
    });
    if (config.intake) {
      decoder = decoderProcesses();
      worker = startIntakeWorker({
        db,
        log,
        handlers: intakeHandlers(services, decoder),
        edgeBusy: () => sftp.uploadsInProgress() > 0 || Date.now() - lastUploadAt < EDGE_QUIET_MS,
      });
      daily = startDailyImports({
        db,
        blobs,
        log: log.child({ component: 'roster-schedule' }),
        findDataFile: (d, name) => services.dropbox.find(d, 'data', name),
        listDataFiles: (d) => services.dropbox.list(d, 'data', { limit: 1000 }),
        onPeopleChanged: (d) => linkWaitingPhotos(services, d).then(() => undefined),
      });
      pushes = startWebhookPush({ db, log: log.child({ component: 'webhooks' }) });
      if (config.mail) mails = startMailPush({ db, log: log.child({ component: 'mail' }), mail: config.mail });
    } else {
      log.info('intake off: uploads are recorded and wait for a node that runs the intake');
    }
    // Every node, intake or not: it holds sessions whose deliveries it keeps alive, and ends a dead node's.
    liveness = startDeliveryLiveness({ db, log: log.child({ component: 'deliveries' }) });
    if (config.retentionIntervalSeconds > 0) {
      retention = startRetention({ db, blobs, log: log.child({ component: 'retention' }), intervalSeconds: config.retentionIntervalSeconds });
    }
    const s = await sftp.listen();
    print(`sftp listening on ${s.host}:${s.port}`);
    const web = createWebServer({
      domain: createWebDomain({
        db,
        // Photos are read again and again (a list shows a hundred thumbnails); their bytes never change under a key.
        blobs: withReadCache(blobs, { maxBytes: 32 * 1024 * 1024, maxItemBytes: 256 * 1024 }),
        dropbox: services.dropbox,
      }),
      // Photos only; see staff/sessionCache.ts for why and what it costs.
      sessions: createSessionCache(db, { ttlMs: 5_000, max: 10_000 }),
      dropbox: services.dropbox,
      log,
      guard,
      secureCookies: config.http.secureCookies,
      trustedProxies: config.trustedProxies,
      health: eventLoop.read,
      draining: () => draining,
      hostKeys,
      sftp: { host: config.sftp.publicHost, port: s.port },
      rosterSettleSeconds: config.rosterSettleSeconds,
    });
    await web.listen({ host: config.http.host, port: config.http.port });
    const h = web.server.address();
    const httpPort = typeof h === 'object' && h ? h.port : config.http.port;
    // Loading modules and building the web server's routes held the loop for up to a second before anyone
    // could connect; counted, that start-up was the "worst delay" /healthz reported for the next two minutes.
    eventLoop.reset();
    print(`http listening on http://${config.http.host}:${httpPort}`);

    let stopping: Promise<void> | undefined;
    return {
      sftpPort: s.port,
      httpPort,
      hostKeys,
      districtCount: async () => Number((await db.kysely.selectFrom('districts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      stop: () =>
        (stopping ??= (async () => {
          // Draining: /healthz answers 503 so HAProxy sends new connections elsewhere, new SFTP connections are
          // refused, and uploads in progress get the drain time to finish; pages keep answering meanwhile.
          draining = true;
          const { abandonedUploads } = await sftp.close(config.sftp.drainSeconds * 1000);
          if (abandonedUploads > 0) log.warn({ abandonedUploads }, 'uploads still open after the drain time were abandoned; their files keep their earlier versions');
          await web.close();
          await daily?.stop();
          await pushes?.stop();
          await mails?.stop();
          await liveness?.stop();
          await retention?.stop();
          await worker?.stop();
          await decoder?.close();
          eventLoop.stop();
          await services.close();
          log.flush();
        })()),
    };
  } catch (err) {
    await daily?.stop();
    await pushes?.stop();
    await mails?.stop();
    await liveness?.stop();
    await retention?.stop();
    await worker?.stop();
    await decoder?.close();
    eventLoop.stop();
    await services.close();
    throw err;
  }
}
