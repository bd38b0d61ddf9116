import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Workspace, type RunningLanyard } from '../test/helpers/lanyard.js';
import { run } from '../test/helpers/run.js';
import { Cleanup } from './lib/cleanup.js';
import { generatePortraits } from './lib/portraits.js';
import { startSshd } from './lib/sshd.js';
import { median, printTable } from './lib/table.js';

/**
 * Uploads with OpenSSH's `sftp` to Lanyard and to OpenSSH's own sshd
 * (internal-sftp) in the same run, same client, same key auth, same files:
 * 500 real 600×800 JPEG portraits, then one 200 MB photographer's zip, each
 * to OpenSSH plain, OpenSSH with `put -f` (fsync before each close: its
 * durable path) and Lanyard, which hashes, fsyncs and records an intake event
 * for each file before answering CLOSE. Targets (issue 13): photos at least as
 * fast as OpenSSH -f, the big file at least as fast as plain OpenSSH.
 *
 * BENCH_REPS (default 3) sets the repetitions; the table shows medians.
 * BENCH_SFTP_CASE=small or big runs one case only; BENCH_CPU_PROF=<dir>
 * profiles the server (see bench/README.md).
 */
const SMALL_FILES = 500;
const BIG_BYTES = 200 * 1024 * 1024;
const SLUG = 'bench';

interface Target {
  name: 'OpenSSH' | 'OpenSSH -f' | 'Lanyard';
  port: number;
  username: string;
  /** `put -f`: the client asks fsync@openssh.com before each CLOSE, OpenSSH's durable path (Lanyard is always durable). */
  put: 'put' | 'put -f';
}

interface Case {
  /** For BENCH_SFTP_CASE=small|big, to measure one while working on it. */
  id: string;
  name: string;
  bytes: number;
  /** sftp batch commands, run from inside the rep's data folder. */
  commands: string[];
}

export default async function sftpBench(): Promise<void> {
  const reps = Math.max(1, Number(process.env.BENCH_REPS ?? 3));
  const cleanup = new Cleanup();
  try {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-bench-sftp-'));
    cleanup.add(`delete ${dir}`, () => fs.rm(dir, { recursive: true, force: true }));

    const key = path.join(dir, 'client_ed25519');
    const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    if (keygen.code !== 0) throw new Error(`ssh-keygen failed: ${keygen.output}`);

    await fs.mkdir(path.join(dir, 'sshd'));
    const sshd = await startSshd(path.join(dir, 'sshd'), `${key}.pub`);
    cleanup.add('stop sshd', () => sshd.stop());
    await fs.mkdir(path.join(sshd.root, 'idphotos'));

    const lanyard = await startLanyard(cleanup, `${key}.pub`);

    const targets: Target[] = [
      { name: 'OpenSSH', port: sshd.port, username: sshd.username, put: 'put' },
      { name: 'OpenSSH -f', port: sshd.port, username: sshd.username, put: 'put -f' },
      { name: 'Lanyard', port: lanyard.sftpPort, username: SLUG, put: 'put' },
    ];
    for (const t of targets) console.log(`${t.name}: sftp on 127.0.0.1:${t.port}, ${await negotiated(t, key)}`);

    const only = process.env.BENCH_SFTP_CASE;
    const cases: Case[] = [
      { id: 'small', name: `${SMALL_FILES} photos`, bytes: 0, commands: ['cd idphotos', 'PUT small/*'] },
      { id: 'big', name: `1 × ${BIG_BYTES / 1024 / 1024} MB`, bytes: BIG_BYTES, commands: ['cd idphotos', 'PUT big.zip'] },
    ].filter((c) => !only || c.id === only);
    const seconds = new Map<string, number[]>();
    for (let rep = 0; rep < reps; rep++) {
      // Fresh random bytes each repetition: nothing to deduplicate, nothing cached server-side.
      const data = path.join(dir, `rep${rep}`);
      const photoBytes = await makeFiles(data);
      for (const c of cases) if (c.id === 'small') c.bytes = photoBytes;
      // Alternate who goes first, so neither always gets the cooler disk cache.
      const order = rep % 2 === 0 ? targets : [...targets].reverse();
      for (const c of cases) {
        for (const t of order) {
          const s = await timedSftp(t, key, data, c.commands.map((line) => line.replace(/^PUT /, `${t.put} `)));
          const k = `${c.name}|${t.name}`;
          seconds.set(k, [...(seconds.get(k) ?? []), s]);
          console.log(`  rep ${rep + 1}/${reps}  ${c.name.padEnd(14)} ${t.name.padEnd(10)} ${s.toFixed(2)} s`);
        }
      }
      await fs.rm(data, { recursive: true, force: true });
    }

    const rss = await peakRssMb(lanyard.pid);
    console.log('');
    printTable(
      ['case', 'OpenSSH s', 'OpenSSH -f s', 'Lanyard s', 'speed vs OpenSSH', 'speed vs OpenSSH -f', 'Lanyard MB/s'],
      cases.map((c) => {
        const o = median(seconds.get(`${c.name}|OpenSSH`)!);
        const f = median(seconds.get(`${c.name}|OpenSSH -f`)!);
        const l = median(seconds.get(`${c.name}|Lanyard`)!);
        const mbps = (s: number) => (c.bytes / 1024 / 1024 / s).toFixed(1);
        return [c.name, o.toFixed(2), f.toFixed(2), l.toFixed(2), (o / l).toFixed(2), (f / l).toFixed(2), mbps(l)];
      }),
    );
    console.log(
      `\nmedian of ${reps} run(s); speed ratios are OpenSSH's time over Lanyard's (1.00 or more: Lanyard at least as fast). ` +
        `Lanyard answers every CLOSE durably; OpenSSH -f is OpenSSH's durable path (fsync@openssh.com before each close). Lanyard peak RSS: ${rss} MB`,
    );
  } finally {
    await cleanup.run();
  }
}

/** The real `lanyard serve` on its own SQLite data folder, the district logging in by key only. */
async function startLanyard(cleanup: Cleanup, publicKey: string): Promise<RunningLanyard> {
  const ws = await Workspace.create('sqlite');
  cleanup.add('delete the Lanyard workspace', () => ws.dispose());
  await ws.district(SLUG);
  for (const args of [
    ['district', 'key', 'add', SLUG, publicKey],
    ['district', 'auth', SLUG, '--require', 'publickey'],
  ]) {
    const r = await ws.cli(args);
    if (r.code !== 0) throw new Error(`lanyard ${args.join(' ')} failed: ${r.stderr}`);
  }
  const lanyard = await ws.start();
  cleanup.add('stop Lanyard', () => lanyard.stop());
  return lanyard;
}

function sftpArgs(t: Target, key: string): string[] {
  return [
    '-F', '/dev/null',
    '-oStrictHostKeyChecking=no',
    '-oUserKnownHostsFile=/dev/null',
    '-oIdentitiesOnly=yes',
    '-oBatchMode=yes',
    '-i', key,
    '-P', String(t.port),
  ];
}

/** Runs one sftp batch from `cwd` and returns its wall-clock seconds, login included (the same for both servers). */
async function timedSftp(t: Target, key: string, cwd: string, commands: string[]): Promise<number> {
  const batch = path.join(cwd, 'batch');
  await fs.writeFile(batch, `${commands.join('\n')}\n`);
  const started = process.hrtime.bigint();
  const r = await run('sh', ['-c', `cd "$1" && shift && exec sftp -oLogLevel=ERROR "$@"`, 'sh', cwd, ...sftpArgs(t, key), '-b', batch, `${t.username}@127.0.0.1`], { timeoutMs: 600_000 });
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.code !== 0) throw new Error(`sftp to ${t.name} failed (${r.code}):\n${r.output.slice(-2000)}`);
  return s;
}

/** What OpenSSH's client and this server agreed on, from `sftp -v`: the cipher decides much of the big file's speed. */
async function negotiated(t: Target, key: string): Promise<string> {
  const r = await run('sftp', [...sftpArgs(t, key), '-v', '-b', '/dev/null', `${t.username}@127.0.0.1`]);
  if (r.code !== 0) throw new Error(`sftp to ${t.name} failed (${r.code}):\n${r.output.slice(-2000)}`);
  const cipher = /kex: server->client cipher: (\S+) MAC: (\S+)/.exec(r.output);
  const kex = /kex: algorithm: (\S+)/.exec(r.output);
  return cipher ? `cipher ${cipher[1]}${cipher[2] === '<implicit>' ? '' : ` + ${cipher[2]}`}, kex ${kex?.[1] ?? '?'}` : 'cipher unknown';
}

/** Real 600×800 JPEG portraits (fresh grain each call, so fresh bytes each repetition) and the big file; returns the photos' bytes. */
async function makeFiles(dir: string): Promise<number> {
  await fs.mkdir(path.join(dir, 'small'), { recursive: true });
  const photos = await generatePortraits(path.join(dir, 'small'), SMALL_FILES, 2);
  let photoBytes = 0;
  for (const p of photos) photoBytes += (await fs.stat(p)).size;
  const big = await fs.open(path.join(dir, 'big.zip'), 'w');
  try {
    for (let done = 0; done < BIG_BYTES; done += 8 * 1024 * 1024) await big.write(randomBytes(Math.min(8 * 1024 * 1024, BIG_BYTES - done)));
  } finally {
    await big.close();
  }
  return photoBytes;
}

/** VmHWM: the most resident memory the server process has had since it started. */
async function peakRssMb(pid: number): Promise<string> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return kb ? (Number(kb[1]) / 1024).toFixed(0) : 'unknown';
}
