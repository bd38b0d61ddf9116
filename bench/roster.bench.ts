import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { openDb, type Db } from '../src/db/db.js';
import { looseLocalIdKey } from '../src/localId/localId.js';
import { createDatabase, dropDatabase, type Dialect } from '../test/helpers/databases.js';
import { Cleanup } from './lib/cleanup.js';
import { printTable } from './lib/table.js';

/**
 * Roster import alone (no SFTP): a generated students.csv of 100,000 rows
 * imported into an empty district, the same file again (all unchanged), then a
 * file with 5% of the rows changed, on SQLite and on PostgreSQL. Beside each
 * figure, the floor: the database's own bulk load of the same 100,000 people
 * (one prepared insert in one transaction for SQLite, COPY for PostgreSQL).
 * Target: within 3× of the floor, peak RSS under 200 MB (the file is streamed).
 *
 * BENCH_ROSTER_ROWS (default 100000) sets the size. Each import runs in a
 * process of its own (bench/lib/rosterCase.ts), so its peak RSS is its own;
 * the floor's is sampled in this process.
 */
const FIRST = ['Ava', 'Liam', 'Siobhán', 'Mateo', 'Aiko', 'Ravi', 'Zoe', 'José', 'Lena', 'Kai'];
const LAST = ['Garcia', 'Müller', 'Nguyen', "O'Brien", 'Okafor', 'Tanaka', 'Silva', 'Schmidt', 'Van der Berg', 'Núñez'];

interface Row {
  localId: string;
  first: string;
  last: string;
  grade: string;
  school: string;
  email: string;
  stateId: string;
}

function row(i: number, changed: boolean): Row {
  const first = FIRST[i % FIRST.length] as string;
  const last = `${LAST[Math.floor(i / FIRST.length) % LAST.length] as string}${changed ? '-Moved' : ''}`;
  return {
    localId: String(100000 + i).padStart(7, '0'),
    first,
    last,
    grade: String((i % 12) + 1),
    school: ['101', '201', '301'][i % 3] as string,
    email: `s${i}@example.org`,
    stateId: `ST${9000000 + i}`,
  };
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

async function writeRoster(file: string, rows: number, changedEvery: number): Promise<void> {
  const fh = await fs.open(file, 'w');
  try {
    await fh.write('Local ID,First Name,Last Name,Grade,Building Code,Email,State ID\r\n');
    for (let at = 0; at < rows; at += 5000) {
      let chunk = '';
      for (let i = at; i < Math.min(rows, at + 5000); i++) {
        const r = row(i, changedEvery > 0 && i % changedEvery === 0);
        chunk += `${[r.localId, r.first, r.last, r.grade, r.school, r.email, r.stateId].map(csvCell).join(',')}\r\n`;
      }
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
}

/** Runs fn while sampling RSS; returns seconds and the highest RSS seen (MB). */
async function measure(fn: () => Promise<unknown>): Promise<{ seconds: number; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const start = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  peak = Math.max(peak, process.memoryUsage().rss);
  return { seconds, peakMb: peak / 1024 / 1024 };
}

async function newDistrict(db: Db): Promise<number> {
  const d = await db.kysely
    .insertInto('districts')
    .values({ slug: `bench${Date.now()}${Math.random().toString(36).slice(2, 6)}`, name: 'Bench', sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return d.id;
}

/** The floor on SQLite: one prepared insert, run for every row inside one transaction, same pragmas as Lanyard. */
function sqliteFloor(file: string, districtId: number, rows: number): void {
  const sqlite = new SQLite(file);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    const at = new Date().toISOString();
    const insert = sqlite.prepare(
      'INSERT INTO people (district_id, local_id, local_id_key, first_name, last_name, role, school, grade, email, state_id, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
    );
    sqlite.transaction(() => {
      for (let i = 0; i < rows; i++) {
        const r = row(i, false);
        insert.run(districtId, r.localId, looseLocalIdKey(r.localId), r.first, r.last, 'student', r.school, r.grade, r.email, r.stateId, at, at);
      }
    })();
  } finally {
    sqlite.close();
  }
}

/** The floor on PostgreSQL: COPY of the same rows from a file the server reads itself (same machine). */
async function postgresFloor(url: string, districtId: number, rows: number, dir: string): Promise<void> {
  const file = path.join(dir, 'copy.csv');
  const at = new Date().toISOString();
  const fh = await fs.open(file, 'w');
  for (let from = 0; from < rows; from += 5000) {
    let chunk = '';
    for (let i = from; i < Math.min(rows, from + 5000); i++) {
      const r = row(i, false);
      chunk += `${[String(districtId), r.localId, looseLocalIdKey(r.localId), r.first, r.last, 'student', r.school, r.grade, r.email, r.stateId, '1', at, at].map(csvCell).join(',')}\n`;
    }
    await fh.write(chunk);
  }
  await fh.close();
  await fs.chmod(dir, 0o755);
  await fs.chmod(file, 0o644);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `COPY people (district_id, local_id, local_id_key, first_name, last_name, role, school, grade, email, state_id, active, created_at, updated_at) FROM '${file.replace(/'/g, "''")}' WITH (FORMAT csv)`,
    );
  } finally {
    await client.end();
  }
}

const CASE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib/rosterCase.js');

function runCase(dataDir: string, url: string | undefined, districtId: number, file: string): Promise<{ seconds: number; peakMb: number; loopMaxMs: number; counts: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CASE, dataDir, url ?? '-', String(districtId), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { seconds: number; peakMb: number; loopMaxMs: number; counts: Record<string, number> }) : reject(new Error(`the import case exited with ${code}`))));
  });
}

export default async function rosterBench(): Promise<void> {
  const rows = Math.max(1000, Number(process.env.BENCH_ROSTER_ROWS ?? 100_000));
  const cleanup = new Cleanup();
  try {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-bench-'));
    cleanup.add('remove the generated files', () => fs.rm(dir, { recursive: true, force: true }));
    const sameDir = path.join(dir, 'same');
    const changedDir = path.join(dir, 'changed');
    await fs.mkdir(sameDir);
    await fs.mkdir(changedDir);
    const original = path.join(sameDir, 'students.csv');
    const changed = path.join(changedDir, 'students.csv');
    await writeRoster(original, rows, 0);
    await writeRoster(changed, rows, 20);
    const size = (await fs.stat(original)).size;
    console.log(`students.csv: ${rows.toLocaleString('en')} rows, ${(size / 1024 / 1024).toFixed(1)} MB; 5% changed: every 20th student's last name`);

    const table: Array<Array<string | number>> = [];
    for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
      const url = await createDatabase(dialect);
      cleanup.add(`drop the ${dialect} database`, () => dropDatabase(url));
      const dataDir = await fs.mkdtemp(path.join(dir, `${dialect}-`));
      const db = await openDb({ dataDir, databaseUrl: url });
      cleanup.add(`close the ${dialect} database`, () => db.close());

      const floorDistrict = await newDistrict(db);
      const floor = await measure(async () => {
        if (dialect === 'sqlite') sqliteFloor(path.join(dataDir, 'lanyard.sqlite'), floorDistrict, rows);
        else await postgresFloor(url as string, floorDistrict, rows, dir);
      });

      const districtId = await newDistrict(db);
      const cases: Array<[string, string, (c: Record<string, number>) => boolean]> = [
        ['first import (all created)', original, (c) => c.created === rows],
        ['same file again (all unchanged)', original, (c) => c.unchanged === rows],
        ['5% changed', changed, (c) => c.updated === rows / 20],
      ];
      for (const [name, file, check] of cases) {
        const m = await runCase(dataDir, url, districtId, file);
        if (!check(m.counts)) throw new Error(`${name}: unexpected counts ${JSON.stringify(m.counts)}`);
        table.push([dialect, name, m.seconds.toFixed(2), floor.seconds.toFixed(2), `${(m.seconds / floor.seconds).toFixed(1)}x`, Math.round(m.peakMb), Math.round(floor.peakMb), m.loopMaxMs.toFixed(0)]);
      }
    }
    printTable(['database', 'case', 'Lanyard s', 'floor s (bulk load)', 'vs floor', 'peak RSS MB', 'floor RSS MB', 'event loop held, max ms'], table);
    console.log('target: within 3x of the floor, peak RSS under 200 MB, event loop never held over 50 ms');
  } finally {
    await cleanup.run();
  }
}
