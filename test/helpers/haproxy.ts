import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO } from './lanyard.js';
import { freePort, waitForPorts } from './ports.js';

export interface HaproxyBackend {
  sftpPort: number;
  httpPort: number;
}

export interface RunningHaproxy {
  sftpPort: number;
  httpPort: number;
  /** A web address through HAProxy. */
  url(p: string): string;
  stop(): Promise<void>;
}

/**
 * Debian's HAProxy running the configuration the repository ships
 * (deploy/haproxy.cfg), in the foreground on free loopback ports, in front of
 * two Lanyard nodes. Nothing is written outside the test's own processes.
 */
export async function startHaproxy(nodes: [HaproxyBackend, HaproxyBackend]): Promise<RunningHaproxy> {
  const [sftpPort, httpPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    LANYARD_SFTP_BIND: `127.0.0.1:${sftpPort}`,
    LANYARD_HTTP_BIND: `127.0.0.1:${httpPort}`,
    NODE1_HOST: '127.0.0.1',
    NODE1_SFTP_PORT: String(nodes[0].sftpPort),
    NODE1_HTTP_PORT: String(nodes[0].httpPort),
    NODE2_HOST: '127.0.0.1',
    NODE2_SFTP_PORT: String(nodes[1].sftpPort),
    NODE2_HTTP_PORT: String(nodes[1].httpPort),
  };
  const child = spawn('haproxy', ['-db', '-f', path.join(REPO, 'deploy/haproxy.cfg')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForPorts('haproxy', child, [sftpPort, httpPort]);
  return {
    sftpPort,
    httpPort,
    url: (p) => `http://127.0.0.1:${httpPort}${p}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
