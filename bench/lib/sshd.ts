import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPorts } from '../../test/helpers/ports.js';
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
  await waitForPorts('sshd', child, [port]);
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
