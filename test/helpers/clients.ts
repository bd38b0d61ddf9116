import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './lanyard.js';
import { opensshSftp } from './openssh.js';
import { run, type RunResult } from './run.js';

/** What a district's welcome sheet gives a client: where, who, and the fingerprints to trust. */
export interface ClientLogin {
  port: number;
  username: string;
  password?: string | undefined;
  /**
   * Path of an OpenSSH private key file. OpenSSH, lftp and paramiko use it;
   * psftp wants PuTTY's own key format and curl a separate public key file,
   * so those two log in with the password.
   */
  identity?: string | undefined;
  /** `SHA256:…` fingerprints from the welcome sheet. */
  hostKeys: string[];
}

/** The few things a person does in a drop box, in a form every client can be told. */
export type Op =
  | { op: 'ls'; path: string }
  | { op: 'put'; local: string; remote: string }
  | { op: 'get'; remote: string; local: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'rm'; path: string }
  | { op: 'mkdir'; path: string };

export interface Entry {
  name: string;
  size: number;
  dir: boolean;
}

export interface ClientRun {
  /** Every op succeeded (clients stop at the first failure). */
  ok: boolean;
  /** What the person would read in the terminal. */
  output: string;
  /** The entries of the last `ls`, if it ran. */
  listing: Entry[] | undefined;
}

export interface SftpClient {
  name: string;
  /** Whether the client prints the server's own sentence when a request is refused. */
  showsServerMessages: boolean;
  run(login: ClientLogin, ops: Op[]): Promise<ClientRun>;
}

/**
 * Reads `ls -l` style lines, which OpenSSH, psftp, lftp and curl all print
 * from the server's long names. OpenSSH prefixes the folder; only the last
 * part of the name is kept.
 */
export function parseLongListing(text: string): Entry[] {
  const out: Entry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([d-])[rwxsStT-]{9}\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\w{3}\s+\d+\s+[\d:]+\s+(.+?)\s*$/.exec(line);
    if (m) out.push({ name: path.posix.basename(m[3]!), size: Number(m[2]), dir: m[1] === 'd' });
  }
  return out;
}

const lastLs = (ops: Op[]) => ops.some((o) => o.op === 'ls');

function mustBeLast(ops: Op[]) {
  const i = ops.findIndex((o) => o.op === 'ls');
  if (i !== -1 && i !== ops.length - 1) throw new Error('an ls must be the last op, so its listing can be told apart');
}

export const openssh: SftpClient = {
  name: 'OpenSSH sftp',
  showsServerMessages: false,
  async run(login, ops) {
    mustBeLast(ops);
    const cmd = (o: Op) => {
      switch (o.op) {
        case 'ls':
          return `ls -l ${o.path}`;
        case 'put':
          return `put ${o.local} ${o.remote}`;
        case 'get':
          return `get ${o.remote} ${o.local}`;
        case 'rename':
          return `rename ${o.from} ${o.to}`;
        case 'rm':
          return `rm ${o.path}`;
        case 'mkdir':
          return `mkdir ${o.path}`;
      }
    };
    const r = await opensshSftp(login, ops.map(cmd));
    return finish(r, r.code === 0, lastLs(ops) ? parseLongListing(r.stdout) : undefined);
  },
};

/** PuTTY's psftp: the engine family of FileZilla and WinSCP. Trusts only the sheet's fingerprints. */
export const psftp: SftpClient = {
  name: 'PuTTY psftp',
  showsServerMessages: false,
  async run(login, ops) {
    mustBeLast(ops);
    const cmd = (o: Op) => {
      switch (o.op) {
        case 'ls':
          return `ls ${o.path}`;
        case 'put':
          return `put "${o.local}" "${o.remote}"`;
        case 'get':
          return `get "${o.remote}" "${o.local}"`;
        case 'rename':
          return `mv "${o.from}" "${o.to}"`;
        case 'rm':
          return `rm "${o.path}"`;
        case 'mkdir':
          return `mkdir "${o.path}"`;
      }
    };
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'psftp-'));
    const script = path.join(dir, 'batch.txt');
    try {
      await fs.writeFile(script, `${ops.map(cmd).join('\n')}\n`);
      const args = ['-batch', '-b', script, '-P', String(login.port), ...login.hostKeys.flatMap((k) => ['-hostkey', k])];
      if (login.password !== undefined) args.push('-pw', login.password);
      args.push(`${login.username}@127.0.0.1`);
      const r = await run('psftp', args);
      return finish(r, r.code === 0, lastLs(ops) ? parseLongListing(r.stdout) : undefined);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  },
};

/**
 * lftp over sftp:// (it runs OpenSSH's ssh underneath). The host key must be
 * in a known_hosts file made from the sheet (see pinnedKnownHosts); the
 * password comes from the environment, as lftp's --env-password reads it.
 */
export function lftp(knownHosts: string): SftpClient {
  return {
    name: 'lftp',
    showsServerMessages: true,
    async run(login, ops) {
      mustBeLast(ops);
      const cmd = (o: Op) => {
        switch (o.op) {
          case 'ls':
            return `cls -l ${o.path}/`;
          case 'put':
            return `put ${quote(o.local)} -o ${quote(o.remote)}`;
          case 'get':
            return `get ${quote(o.remote)} -o ${quote(o.local)}`;
          case 'rename':
            return `mv ${quote(o.from)} ${quote(o.to)}`;
          case 'rm':
            return `rm ${quote(o.path)}`;
          case 'mkdir':
            return `mkdir ${quote(o.path)}`;
        }
      };
      const ssh = ['ssh', '-a', '-x', `-oUserKnownHostsFile=${knownHosts}`, '-oStrictHostKeyChecking=yes', '-oGlobalKnownHostsFile=/dev/null'];
      if (login.identity) ssh.push('-oIdentitiesOnly=yes', `-i${login.identity}`);
      else ssh.push('-oPubkeyAuthentication=no');
      const script = [
        'set cmd:fail-exit yes',
        'set sftp:auto-confirm no',
        `set sftp:connect-program ${quote(ssh.join(' '))}`,
        // Fail fast: a refused login or connection is an answer, not something to retry.
        'set net:max-retries 1',
        'set net:reconnect-interval-base 1',
        'set net:timeout 20',
        `open ${login.password !== undefined ? '--env-password ' : ''}-u ${login.username} sftp://127.0.0.1:${login.port}`,
        ...ops.map(cmd),
      ].join('\n');
      const env = { ...process.env, LFTP_PASSWORD: login.password ?? '' };
      const r = await run('lftp', ['-c', script], { env });
      return finish(r, r.code === 0, lastLs(ops) ? parseLongListing(r.stdout) : undefined);
    },
  };
}

/** curl's sftp:// (libssh2): one transfer per run, renames and deletes as -Q quote commands. */
export const curl: SftpClient = {
  name: 'curl (libssh2)',
  showsServerMessages: false,
  async run(login, ops) {
    mustBeLast(ops);
    const base = `sftp://127.0.0.1:${login.port}`;
    const url = (p: string) => `${base}/${p.replace(/^\/+/, '')}`;
    // curl pins one key; libssh2 negotiates Ed25519 first.
    const ed25519 = login.hostKeys[0]!.replace(/^SHA256:/, '');
    const common = ['-sS', '--path-as-is', '--hostpubsha256', ed25519, '-u', `${login.username}:${login.password ?? ''}`];
    let output = '';
    let listing: Entry[] | undefined;
    for (const o of ops) {
      let args: string[];
      switch (o.op) {
        case 'ls':
          args = [url(`${o.path}/`)];
          break;
        case 'put':
          args = ['-T', o.local, url(o.remote)];
          break;
        case 'get':
          args = ['-o', o.local, url(o.remote)];
          break;
        case 'rename':
          args = ['-I', '-Q', `rename /${o.from} /${o.to}`, url('')];
          break;
        case 'rm':
          args = ['-I', '-Q', `rm /${o.path}`, url('')];
          break;
        case 'mkdir':
          args = ['-I', '-Q', `mkdir /${o.path}`, url('')];
          break;
      }
      const r = await run('curl', [...common, ...args]);
      output += r.output;
      if (o.op === 'ls') listing = parseLongListing(r.stdout);
      if (r.code !== 0) return { ok: false, output, listing: undefined };
    }
    return { ok: true, output, listing };
  },
};

const PARAMIKO_SCRIPT = path.join(REPO, 'test/helpers/paramiko_client.py');

interface ParamikoAnswer {
  login: 'ok' | 'failed';
  error?: string;
  results?: Array<{ ok: boolean; value?: unknown; error?: string }>;
}

/** paramiko under Debian's own python3 (python3-paramiko), driven by test/helpers/paramiko_client.py. */
export const paramiko: SftpClient = {
  name: 'paramiko',
  showsServerMessages: true,
  async run(login, ops) {
    mustBeLast(ops);
    const input = JSON.stringify({ ...login, password: login.password ?? null, identity: login.identity ?? null, ops });
    const r = await run('/usr/bin/python3', [PARAMIKO_SCRIPT], { input });
    let answer: ParamikoAnswer;
    try {
      answer = JSON.parse(r.stdout) as ParamikoAnswer;
    } catch {
      throw new Error(`paramiko helper crashed:\n${r.output}`);
    }
    const results = answer.results ?? [];
    const ok = answer.login === 'ok' && results.length === ops.length && results.every((x) => x.ok);
    const output = answer.login === 'ok' ? results.map((x) => (x.ok ? 'ok' : x.error)).join('\n') : `login failed: ${answer.error}`;
    const lsResult = ops[ops.length - 1]?.op === 'ls' && ok ? results[results.length - 1] : undefined;
    return { ok, output, listing: lsResult ? (lsResult.value as Entry[]) : undefined };
  },
};

function finish(r: RunResult, ok: boolean, listing: Entry[] | undefined): ClientRun {
  return { ok, output: r.output, listing: ok ? listing : undefined };
}

/** Double quotes for lftp's command language. */
function quote(s: string) {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * A known_hosts file holding the server's keys, each checked against the
 * welcome sheet's SHA256 fingerprint first: what a careful technician does
 * before trusting a server with OpenSSH-based tools.
 */
export async function pinnedKnownHosts(port: number, sheetFingerprints: string[], file: string): Promise<string> {
  const scan = await run('ssh-keyscan', ['-T', '20', '-p', String(port), '-t', 'ed25519,rsa', '127.0.0.1']);
  const lines = scan.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
  const trusted: string[] = [];
  for (const line of lines) {
    const fp = await run('ssh-keygen', ['-lf', '-'], { input: `${line}\n` });
    const sha = /SHA256:\S+/.exec(fp.stdout)?.[0];
    if (sha && sheetFingerprints.includes(sha)) trusted.push(line);
  }
  if (trusted.length === 0) throw new Error(`no host key of port ${port} matches the welcome sheet:\n${scan.output}`);
  await fs.writeFile(file, `${trusted.join('\n')}\n`);
  return file;
}
