import net from 'node:net';
import type { Logger } from 'pino';
import type { Connection, ServerChannel, SFTPWrapper } from 'ssh2';
import { Server } from '../shared/ssh2.js';
import type { AuditLog } from '../audit/audit.js';
import type { SftpConfig } from '../config/config.js';
import type { Db } from '../db/db.js';
import type { District } from '../districts/districts.js';
import type { Dropbox } from '../dropbox/dropbox.js';
import { deliveryTicket } from '../deliveries/ticket.js';
import type { HostKey } from '../hostKeys/hostKeys.js';
import { addressKey, type LoginGuard } from '../loginGuard/loginGuard.js';
import { Admission } from './admission.js';
import { ADVERTISED } from './extensions.js';
import { advertiseExtensions } from './version.js';
import { createAuthenticator } from './auth.js';
import { acceptRepeatedUserauthRequests, describeChannelRefusals, refuseNextChannel } from './compat.js';
import { ConnectionFlow, FlowPool, type ChannelFlow } from './inFlight.js';
import { LiveSessions, watchCredentials } from './liveSessions.js';
import { HandleBudget, serveSftp, UploadGauge } from './session.js';
import { isTrusted, readProxyHeader, trustedProxies } from './proxyProtocol.js';
import { STATUS_CODE } from './status.js';

export interface SftpServerDeps {
  config: SftpConfig;
  db: Db;
  dropbox: Dropbox;
  hostKeys: HostKey[];
  guard: LoginGuard;
  audit: AuditLog;
  log: Logger;
  /** Peers whose connections begin with a PROXY protocol header naming the client (HAProxy); see proxyProtocol.ts. */
  trustedProxies?: readonly string[];
}

export interface SftpServer {
  listen(): Promise<{ host: string; port: number }>;
  /**
   * Stops accepting; lets uploads open or committing finish for up to `drainMs`
   * (0: none), then ends every connection. An upload still open then is
   * abandoned, never half-published: its file keeps its previous version.
   */
  close(drainMs?: number): Promise<{ abandonedUploads: number }>;
  /** Uploads open or committing on this node right now. */
  uploadsInProgress(): number;
}

export function createSftpServer(deps: SftpServerDeps): SftpServer {
  const { config, log } = deps;
  const { limits } = config;
  /** By the TCP peer ssh2 sees; `address` is the client's own (behind a trusted proxy, the one its PROXY header names). */
  const sockets = new Map<string, { socket: net.Socket; flow: ConnectionFlow; admitted: () => void; address: string }>();
  const proxies = trustedProxies(deps.trustedProxies ?? []);
  const admission = new Admission(limits.unauthenticatedPerAddress, limits.unauthenticatedTotal);
  let refusedSince = 0;
  const sessionsByDistrict = new Map<number, number>();
  /** What all of a district's connections may hold together. */
  const pools = new Map<number, FlowPool>();
  const live = new LiveSessions();
  const uploads = new UploadGauge();
  let stopWatching: (() => void) | undefined;
  const handleBudgets = new Map<number, HandleBudget>();
  const handlesOf = (districtId: number) => {
    let budget = handleBudgets.get(districtId);
    if (!budget) handleBudgets.set(districtId, (budget = new HandleBudget(limits.handlesPerDistrict)));
    return budget;
  };
  const poolOf = (districtId: number) => {
    let pool = pools.get(districtId);
    if (!pool) pools.set(districtId, (pool = new FlowPool(limits.districtBufferBytes)));
    return pool;
  };
  const ssh = new Server({ hostKeys: deps.hostKeys.map((k) => k.privateKey), ident: 'Lanyard' }, (client, info) => {
    const held = sockets.get(`${info.ip}|${info.port}`);
    if (!held) return client.end();
    if (!acceptRepeatedUserauthRequests(client)) log.warn('ssh2 internals changed: paramiko clients cannot combine a key and a password');
    if (!describeChannelRefusals(client)) log.warn('ssh2 internals changed: refused sessions are refused without saying why');
    onConnection(client, held.flow, held.admitted, held.address);
  });
  ssh.on('error', (err: Error) => log.warn({ err }, 'ssh server error'));

  // We own the TCP server so we hold each socket: for TCP_NODELAY (else every small
  // file pays ~45 ms of Nagle delay) and for pausing a client that floods us with writes.
  const tcp = net.createServer((socket) => {
    if (!isTrusted(proxies, socket.remoteAddress)) return accept(socket, socket.remoteAddress ?? '');
    // HAProxy in front: who the client is comes first, in the PROXY header, before any SSH byte.
    socket.on('error', () => undefined);
    readProxyHeader(socket).then(
      (peer) => {
        // LOCAL: the proxy's own health check, which speaks for no client and wants no SSH.
        if (peer === null) return socket.destroy();
        accept(socket, peer.address);
      },
      (err: unknown) => {
        log.warn({ err, proxy: socket.remoteAddress }, 'a trusted proxy sent no usable PROXY header: connection closed');
        socket.destroy();
      },
    );
  });

  function accept(socket: net.Socket, address: string) {
    // Before anything else, not even our banner: is there room for one more connection not logged in?
    const admitted = admission.admit(addressKey(address), () => socket.destroy());
    if (!admitted) {
      socket.on('error', () => undefined);
      socket.destroy();
      // A flood must not flood the log too: one line per burst.
      if (refusedSince++ === 0) {
        log.warn({ address }, 'too many connections not logged in: closing new ones at once');
        setTimeout(() => (refusedSince = 0), 10_000).unref();
      }
      return;
    }
    socket.once('close', admitted);
    socket.setNoDelay(true);
    const key = `${socket.remoteAddress}|${socket.remotePort}`;
    const flow = new ConnectionFlow(socket, limits.connectionBufferBytes, (why) => {
      log.warn({ address }, `connection closed: ${why}`);
      socket.destroy();
    });
    sockets.set(key, { socket, flow, admitted, address });
    socket.once('close', () => sockets.delete(key));
    socket.on('error', () => undefined);
    ssh.injectSocket(socket);
    // A socket whose PROXY header was read was paused there, so no SSH byte fell on the floor meanwhile.
    socket.resume();
    batchWritesPerTurn(socket, () => flow.afterWrite());
  }

  function onConnection(client: Connection, flow: ConnectionFlow, admitted: () => void, address: string) {
    const clog = log.child({ address });
    let district: District | undefined;
    let credentialVersion = 0;
    let idleTimer: NodeJS.Timeout | undefined;

    const grace = setTimeout(() => {
      clog.info('login grace time over; disconnecting');
      client.end();
    }, config.loginGraceSeconds * 1000);

    const restartIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        clog.info({ district: district?.slug }, 'idle timeout; disconnecting');
        client.end();
      }, config.idleTimeoutSeconds * 1000);
    };

    const authenticate = createAuthenticator({ db: deps.db, guard: deps.guard, audit: deps.audit, address }, (d, version) => {
      district = d;
      credentialVersion = version;
    });

    client.on('authentication', (ctx) => {
      authenticate(ctx).catch((err: unknown) => {
        clog.error({ err }, 'authentication failed on our side');
        ctx.reject();
      });
    });

    client.on('ready', () => {
      // Logged in: no longer one of the connections a stranger could pile up.
      admitted();
      clearTimeout(grace);
      restartIdle();
      const d = district!;
      const count = (sessionsByDistrict.get(d.id) ?? 0) + 1;
      sessionsByDistrict.set(d.id, count);
      const overLimit = count > config.sessionsPerDistrict;
      const pool = poolOf(d.id);
      flow.joinPool(pool);
      const forget = live.add({
        districtId: d.id,
        version: credentialVersion,
        end: () => {
          clog.info({ district: d.slug }, 'SFTP credentials changed: ending a session that logged in with the old ones');
          deps.audit
            .record({ action: 'sftp.session-ended', districtId: d.id, actor: d.slug, address, detail: { reason: 'the SFTP password, keys or login choice changed' } })
            .catch((err: unknown) => clog.warn({ err }, 'could not record the end of a session'));
          client.end();
        },
      });
      // One delivery per logged-in connection: everything this session uploads, renames or deletes.
      const delivery = deliveryTicket(deps.db, { districtId: d.id, source: 'sftp', by: d.slug, address });
      client.once('close', () => {
        delivery.end().catch((err: unknown) => clog.warn({ err }, 'could not record the end of a delivery'));
        forget();
        sessionsByDistrict.set(d.id, (sessionsByDistrict.get(d.id) ?? 1) - 1);
        if (pool.size === 0 && pools.get(d.id) === pool) pools.delete(d.id);
      });

      let channels = 0;
      client.on('session', (acceptSession, rejectSession) => {
        // Each session channel can hold files open and answers in memory: a connection gets a few, not thousands.
        if (channels >= limits.channelsPerConnection) {
          refuseNextChannel(client, `Too many sessions on one connection (at most ${limits.channelsPerConnection}): close some, or connect again.`);
          return rejectSession();
        }
        channels++;
        const session = acceptSession();
        let counted = true;
        const uncount = () => {
          if (counted) channels--;
          counted = false;
        };
        session.once('close', uncount);
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          // Before any byte of the channel is read: the client's INIT is the first thing on it.
          if (!advertiseExtensions(sftp, ADVERTISED)) clog.warn('ssh2 internals changed: SFTP extensions are not advertised (clients fall back to 32 KB writes, no fsync, no df)');
          sftp.once('close', uncount);
          // OpenSSH's sftp waits for the channel to close before it exits.
          sftp.on('end', () => sftp.end());
          const channelFlow = flow.attach(client, sftp);
          if (overLimit) {
            refuseAll(sftp, channelFlow, `Too many connections for ${d.slug} (at most ${config.sessionsPerDistrict} at once): close other sessions and try again.`);
            return;
          }
          serveSftp(sftp, {
            dropbox: deps.dropbox,
            actor: { districtId: d.id, source: 'sftp', name: d.slug, address, delivery },
            username: d.slug,
            log: clog.child({ district: d.slug }),
            flow: channelFlow,
            limits,
            districtHandles: handlesOf(d.id),
            since: d.createdAt,
            onActivity: restartIdle,
            uploads,
          });
        });
        const noShell = (accept: () => ServerChannel) => {
          const ch = accept();
          ch.stderr.write('This account is for SFTP only: connect with an SFTP client such as FileZilla, WinSCP or sftp.\r\n');
          ch.exit(1);
          ch.end();
        };
        session.on('shell', noShell);
        session.on('exec', noShell);
        session.on('pty', (accept) => accept());
        session.on('env', (accept) => accept?.());
      });
    });

    client.on('error', (err) => clog.debug({ err }, 'ssh connection error'));
    client.on('close', () => {
      clearTimeout(grace);
      clearTimeout(idleTimer);
    });
  }

  return {
    uploadsInProgress: () => uploads.total,
    listen() {
      stopWatching ??= watchCredentials(deps.db, live, config.credentialCheckSeconds, log);
      return new Promise((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(config.port, config.host, () => {
          tcp.off('error', reject);
          const a = tcp.address() as net.AddressInfo;
          resolve({ host: a.address, port: a.port });
        });
      });
    },
    async close(drainMs = 0) {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      const deadline = Date.now() + drainMs;
      while (uploads.total > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const abandonedUploads = uploads.total;
      stopWatching?.();
      for (const s of sockets.values()) s.socket.destroy();
      await closed;
      return { abandonedUploads };
    },
  };
}

/**
 * ssh2 sends every packet as its own socket write, and a loopback or LAN
 * write costs a syscall and a wake-up of the other side: with one answer per
 * 32 KB WRITE that was a third of the server's time on a big upload. Corking
 * on the first write of an event-loop turn and uncorking at the end of that
 * turn (setImmediate runs before the loop next waits for I/O) sends all the
 * answers of one turn in a single writev, as OpenSSH's output buffer does,
 * without holding any answer back.
 */
function batchWritesPerTurn(socket: net.Socket, afterWrite: () => void) {
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function (this: net.Socket, ...args: Parameters<net.Socket['write']>) {
    if (!corked) {
      corked = true;
      this.cork();
      setImmediate(uncork);
    }
    const r = write.apply(this, args);
    afterWrite();
    return r;
  } as net.Socket['write'];
}

function refuseAll(sftp: SFTPWrapper, flow: ChannelFlow, message: string) {
  const refuse = (reqId: number) => flow.run(() => sftp.status(reqId, STATUS_CODE.FAILURE, message));
  for (const ev of ['OPEN', 'OPENDIR', 'REALPATH', 'STAT', 'LSTAT', 'REMOVE', 'RENAME', 'MKDIR', 'RMDIR', 'SETSTAT', 'READLINK', 'SYMLINK', 'EXTENDED']) {
    sftp.on(ev, refuse);
  }
}
