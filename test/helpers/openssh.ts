import { run, type RunResult } from './run.js';

export interface Login {
  port: number;
  username: string;
  password?: string | undefined;
  /** Path of a private key file. */
  identity?: string | undefined;
  /** Local address to connect from (any 127.x.y.z is this machine): another source address for lockout tests. */
  bindAddress?: string | undefined;
}

const common = (l: Login) => [
  '-oStrictHostKeyChecking=no',
  '-oUserKnownHostsFile=/dev/null',
  '-oLogLevel=ERROR',
  '-oConnectTimeout=10',
  '-oPreferredAuthentications=publickey,password',
  ...(l.bindAddress ? [`-oBindAddress=${l.bindAddress}`] : []),
  ...(l.identity ? ['-oIdentitiesOnly=yes', `-i${l.identity}`] : ['-oPubkeyAuthentication=no', '-oIdentitiesOnly=yes']),
  ...(l.password === undefined ? ['-oPasswordAuthentication=no', '-oBatchMode=yes'] : ['-oBatchMode=no', '-oNumberOfPasswordPrompts=1']),
  '-P',
  String(l.port),
];

/**
 * OpenSSH's `sftp` in batch mode, fed `commands` one per line. A password is
 * typed by sshpass, as a person would; -b stops at the first failed command.
 */
export function opensshSftp(l: Login, commands: string[]): Promise<RunResult> {
  const args = [...common(l), '-b', '-', `${l.username}@127.0.0.1`];
  const input = `${commands.join('\n')}\n`;
  return l.password === undefined ? run('sftp', args, { input }) : run('sshpass', ['-p', l.password, 'sftp', ...args], { input });
}
