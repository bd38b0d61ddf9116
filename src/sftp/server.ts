import net from 'node:net';
import type { Logger } from 'pino';
import type { Connection, ServerChannel, SFTPWrapper } from 'ssh2';
import { Server } from '../shared/ssh2.js';
import type { AuditLog } from '../audit/audit.js';
import type { SftpConfig } from '../config/config.js';
import type { Db } from '../db/db.js';
import type { District } from '../districts/districts.js';
import type { Dropbox } from '../dropbox/dropbox.js';
import type { HostKey } from '../hostKeys/hostKeys.js';
import type { LoginGuard } from '../loginGuard/loginGuard.js';
import { createAuthenticator } from './auth.js';
import { acceptRepeatedUserauthRequests } from './compat.js';
import { socketGauge } from './inFlight.js';
import { serveSftp } from './session.js';
import { STATUS_CODE } from './status.js';

export interface SftpServerDeps {
  config: SftpConfig;
  db: Db;
  dropbox: Dropbox;
  hostKeys: HostKey[];
  guard: LoginGuard;
  audit: AuditLog;
  log: Logger;
}

export interface SftpServer {
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting, ends every connection; uploads in flight are abandoned, never half-published. */
  close(): Promise<void>;
}

export function createSftpServer(deps: SftpServerDeps): SftpServer {
  const { config, log } = deps;
  const sockets = new Map<string, net.Socket>();
  const sessionsByDistrict = new Map<number, number>();
  const ssh = new Server({ hostKeys: deps.hostKeys.map((k) => k.privateKey), ident: 'Lanyard' }, (client, info) => {
    const socket = sockets.get(`${info.ip}|${info.port}`);
    if (!socket) return client.end();
    if (!acceptRepeatedUserauthRequests(client)) log.warn('ssh2 internals changed: paramiko clients cannot combine a key and a password');
    onConnection(client, socket, info.ip);
  });
  ssh.on('error', (err: Error) => log.warn({ err }, 'ssh server error'));

  // We own the TCP server so we hold each socket: for TCP_NODELAY (else every small
  // file pays ~45 ms of Nagle delay) and for pausing a client that floods us with writes.
  const tcp = net.createServer((socket) => {
    socket.setNoDelay(true);
    const key = `${socket.remoteAddress}|${socket.remotePort}`;
    sockets.set(key, socket);
    socket.once('close', () => sockets.delete(key));
    socket.on('error', () => undefined);
    ssh.injectSocket(socket);
    batchWritesPerTurn(socket);
  });

  function onConnection(client: Connection, socket: net.Socket, address: string) {
    const clog = log.child({ address });
    let district: District | undefined;
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

    const authenticate = createAuthenticator({ db: deps.db, guard: deps.guard, audit: deps.audit, address }, (d) => {
      district = d;
    });

    client.on('authentication', (ctx) => {
      authenticate(ctx).catch((err: unknown) => {
        clog.error({ err }, 'authentication failed on our side');
        ctx.reject();
      });
    });

    client.on('ready', () => {
      clearTimeout(grace);
      restartIdle();
      const d = district!;
      const count = (sessionsByDistrict.get(d.id) ?? 0) + 1;
      sessionsByDistrict.set(d.id, count);
      const overLimit = count > config.sessionsPerDistrict;
      client.once('close', () => {
        sessionsByDistrict.set(d.id, (sessionsByDistrict.get(d.id) ?? 1) - 1);
      });

      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          // OpenSSH's sftp waits for the channel to close before it exits.
          sftp.on('end', () => sftp.end());
          if (overLimit) {
            refuseAll(sftp, `Too many connections for ${d.slug} (at most ${config.sessionsPerDistrict} at once): close other sessions and try again.`);
            return;
          }
          serveSftp(sftp, {
            dropbox: deps.dropbox,
            actor: { districtId: d.id, source: 'sftp', name: d.slug, address },
            username: d.slug,
            log: clog.child({ district: d.slug }),
            gauge: socketGauge(socket),
            since: d.createdAt,
            onActivity: restartIdle,
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
    listen() {
      return new Promise((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(config.port, config.host, () => {
          tcp.off('error', reject);
          const a = tcp.address() as net.AddressInfo;
          resolve({ host: a.address, port: a.port });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        tcp.close(() => resolve());
        for (const s of sockets.values()) s.destroy();
      });
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
function batchWritesPerTurn(socket: net.Socket) {
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
    return write.apply(this, args);
  } as net.Socket['write'];
}

function refuseAll(sftp: SFTPWrapper, message: string) {
  const refuse = (reqId: number) => sftp.status(reqId, STATUS_CODE.FAILURE, message);
  for (const ev of ['OPEN', 'OPENDIR', 'REALPATH', 'STAT', 'LSTAT', 'REMOVE', 'RENAME', 'MKDIR', 'RMDIR', 'SETSTAT', 'READLINK', 'SYMLINK', 'EXTENDED']) {
    sftp.on(ev, refuse);
  }
}
