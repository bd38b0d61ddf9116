import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Workspace, type RunningLanyard } from '../test/helpers/lanyard.js';
import { run } from '../test/helpers/run.js';
import { Cleanup } from './lib/cleanup.js';
import { startSshd } from './lib/sshd.js';
import { median, printTable } from './lib/table.js';

/**
 * Uploads with OpenSSH's `sftp` to Lanyard and to OpenSSH's own sshd
 * (internal-sftp) in the same run, same client, same key auth, same files:
 * 500 photo-sized files, then one 200 MB photographer's zip. Lanyard's target
 * is at least OpenSSH's speed on both, while it also hashes, fsyncs and
 * records an intake event for each file before answering CLOSE.
 *
 * BENCH_REPS (default 3) sets the repetitions; the table shows medians.
 * BENCH_SFTP_CASE=small or big runs one case only; BENCH_CPU_PROF=<dir>
 * profiles the server (see bench/README.md).
 */
const SMALL_FILES = 500;
const SMALL_BYTES = 85 * 1024;
const BIG_BYTES = 200 * 1024 * 1024;
const SLUG = 'bench';

interface Target {
  name: 'OpenSSH' | 'Lanyard';
  port: number;
  username: string;
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
      { name: 'OpenSSH', port: sshd.port, username: sshd.username },
      { name: 'Lanyard', port: lanyard.sftpPort, username: SLUG },
    ];
    for (const t of targets) console.log(`${t.name}: sftp on 127.0.0.1:${t.port}, ${await negotiated(t, key)}`);

    const only = process.env.BENCH_SFTP_CASE;
    const cases: Case[] = [
      { id: 'small', name: `${SMALL_FILES} × ${SMALL_BYTES / 1024} KB`, bytes: SMALL_FILES * SMALL_BYTES, commands: ['cd idphotos', 'put small/*'] },
      { id: 'big', name: `1 × ${BIG_BYTES / 1024 / 1024} MB`, bytes: BIG_BYTES, commands: ['cd idphotos', 'put big.zip'] },
    ].filter((c) => !only || c.id === only);
    const seconds = new Map<string, number[]>();
    for (let rep = 0; rep < reps; rep++) {
      // Fresh random bytes each repetition: nothing to deduplicate, nothing cached server-side.
      const data = path.join(dir, `rep${rep}`);
      await makeFiles(data);
      // Alternate who goes first, so neither always gets the cooler disk cache.
      const order = rep % 2 === 0 ? targets : [...targets].reverse();
      for (const c of cases) {
        for (const t of order) {
          const s = await timedSftp(t, key, data, c.commands);
          const k = `${c.name}|${t.name}`;
          seconds.set(k, [...(seconds.get(k) ?? []), s]);
          console.log(`  rep ${rep + 1}/${reps}  ${c.name.padEnd(14)} ${t.name.padEnd(7)} ${s.toFixed(2)} s`);
        }
      }
      await fs.rm(data, { recursive: true, force: true });
    }

    const rss = await peakRssMb(lanyard.pid);
    console.log('');
    printTable(
      ['case', 'OpenSSH s', 'Lanyard s', 'ratio L/O', 'OpenSSH MB/s', 'Lanyard MB/s'],
      cases.map((c) => {
        const o = median(seconds.get(`${c.name}|OpenSSH`)!);
        const l = median(seconds.get(`${c.name}|Lanyard`)!);
        const mbps = (s: number) => (c.bytes / 1024 / 1024 / s).toFixed(1);
        return [c.name, o.toFixed(2), l.toFixed(2), (l / o).toFixed(2), mbps(o), mbps(l)];
      }),
    );
    console.log(`\nmedian of ${reps} run(s); ratio below 1.00 means Lanyard was faster. Lanyard peak RSS: ${rss} MB`);
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

async function makeFiles(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'small'), { recursive: true });
  for (let i = 0; i < SMALL_FILES; i++) {
    // Local IDs, as a district's photos are named.
    await fs.writeFile(path.join(dir, 'small', `${100000 + i}.jpg`), randomBytes(SMALL_BYTES));
  }
  const big = await fs.open(path.join(dir, 'big.zip'), 'w');
  try {
    for (let done = 0; done < BIG_BYTES; done += 8 * 1024 * 1024) await big.write(randomBytes(Math.min(8 * 1024 * 1024, BIG_BYTES - done)));
  } finally {
    await big.close();
  }
}

/** VmHWM: the most resident memory the server process has had since it started. */
async function peakRssMb(pid: number): Promise<string> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return kb ? (Number(kb[1]) / 1024).toFixed(0) : 'unknown';
}
