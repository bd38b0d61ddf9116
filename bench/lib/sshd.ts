import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../test/helpers/run.js';

export const SSHD = '/usr/sbin/sshd';

export interface RunningSshd {
  port: number;
  /** Who logs in: the user running the bench (root on CI). */
  username: string;
  /** Where internal-sftp starts: uploads land under here. */
  root: string;
  stop(): Promise<void>;
}

/**
 * OpenSSH's own sshd as the baseline: internal-sftp forced for every login
 * (no shell, no sftp-server process), a host key and an authorized key made
 * for this run, on a free loopback port. Runs as the current user; no PAM, no
 * pid file, no strict modes, so nothing on the machine is touched except the
 * privilege-separation folder sshd insists on.
 */
export async function startSshd(dir: string, clientPublicKey: string): Promise<RunningSshd> {
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  if (keygen.code !== 0) throw new Error(`ssh-keygen failed: ${keygen.output}`);
  const authorized = path.join(dir, 'authorized_keys');
  await fs.writeFile(authorized, await fs.readFile(clientPublicKey), { mode: 0o600 });
  const root = path.join(dir, 'openssh-root');
  await fs.mkdir(root);
  // sshd refuses to start without it; Debian makes it only when the service runs.
  if (process.getuid?.() === 0) await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const username = os.userInfo().username;
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await fs.writeFile(
    config,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${hostKey}`,
      'PidFile none',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AuthorizedKeysFile ${authorized}`,
      `AllowUsers ${username}`,
      'Subsystem sftp internal-sftp',
      `ForceCommand internal-sftp -d ${root}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );

  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(child, port);
  return {
    port,
    username,
    root,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** sshd -D prints nothing when it is ready at LogLevel ERROR, so poll the port. */
async function waitForPort(child: ChildProcess, port: number): Promise<void> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}) before listening: ${stderr}`);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not listen on ${port} within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
