import fs from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import { Workspace, type RunningLanyard } from '../test/helpers/lanyard.js';
import { Cleanup } from './lib/cleanup.js';
import { httpLoad, type LoadResult } from './lib/httpLoad.js';
import { printTable } from './lib/table.js';

/**
 * A hosted service's largest district beside its smallest, on PostgreSQL:
 * 1,000 districts holding 1,000,000 people in all, one of them 500,000 (the
 * size of the largest US districts), the others about 500 each; nine in ten
 * people with a photo record, devices in proportion. For each page a person
 * opens (the People page with every filter, the Photos desk, the device list,
 * a User Profile), p50 and p99 signed in as a staff member of the largest and
 * of a small district, side by side, and the server's peak memory (RSS).
 * Target: the largest district's p99 within 2× the small one's and under
 * 100 ms on every page.
 *
 * The rows are written straight into the database (generate_series), the way
 * years of roster imports would have left them; photos point at one stored
 * thumbnail, since pages list photo URLs and never read the bytes.
 *
 * BENCH_SCALE_PEOPLE (default 1000000) and BENCH_SCALE_DISTRICTS (default
 * 1000) size it; BENCH_SECONDS (default 3) per page and district;
 * BENCH_CONNECTIONS (default 2).
 */
const PASSWORD = 'scale-bench-password';

export default async function scaleBench(): Promise<void> {
  const total = Math.max(2000, Number(process.env.BENCH_SCALE_PEOPLE ?? 1_000_000));
  const districts = Math.max(2, Number(process.env.BENCH_SCALE_DISTRICTS ?? 1000));
  const seconds = Math.max(1, Number(process.env.BENCH_SECONDS ?? 3));
  const connections = Math.max(1, Number(process.env.BENCH_CONNECTIONS ?? 2));
  const largest = Math.floor(total / 2);
  const eachSmall = Math.floor((total - largest) / (districts - 1));
  const cleanup = new Cleanup();
  try {
    const ws = await Workspace.create('postgres');
    cleanup.add('delete the workspace', () => ws.dispose());
    await ws.district('metro', PASSWORD);
    await ws.district('village', PASSWORD);
    for (const slug of ['metro', 'village']) {
      const r = await ws.cli(['staff', 'create', slug, '--email', `admin@${slug}.k12.us`, '--password', PASSWORD, '--role', 'admin']);
      if (r.code !== 0) throw new Error(`staff create failed: ${r.stderr}`);
    }

    const t0 = performance.now();
    const client = new pg.Client({ connectionString: ws.databaseUrl });
    await client.connect();
    cleanup.add('close the database connection', () => client.end());
    await fill(client, { districts, largest, eachSmall });
    console.log(
      `${districts} districts, ${largest + eachSmall * (districts - 1)} people (metro ${largest}, each other ~${eachSmall}), written in ${((performance.now() - t0) / 1000).toFixed(0)} s; ` +
        `${connections} connections, ${seconds} s per page, on ${os.availableParallelism()} cores`,
    );

    const server = await ws.start(['--intake', 'off']);
    cleanup.add('stop lanyard', () => server.stop());
    const metro = await signIn(server, 'metro');
    const village = await signIn(server, 'village');
    const someone = async (slug: string) =>
      (await client.query<{ local_id: string }>(`select p.local_id from people p join districts d on d.id = p.district_id where d.slug = $1 order by p.id limit 1 offset 7`, [slug])).rows[0]!.local_id;

    const activePeople = async (slug: string) =>
      Number((await client.query<{ n: string }>(`select count(*) as n from people p join districts d on d.id = p.district_id where d.slug = $1 and p.active = 1`, [slug])).rows[0]!.n);

    const pages: Array<[string, (slug: string) => Promise<string>]> = [
      ['People', async () => '/people'],
      ['People: has a photo', async () => '/people?photo=yes'],
      ['People: no photo yet', async () => '/people?photo=no'],
      ['People: school', async () => '/people?school=201'],
      ['People: grade', async () => '/people?grade=7'],
      ['People: staff', async () => '/people?role=staff'],
      ['People: inactive', async () => '/people?active=no'],
      ['People: search', async () => '/people?q=Okafor'],
      // A deep page of a hundred people: the small district's page 40 would be empty, so it shows its last full page.
      ['People: page 40 (small: its last)', async (slug) => `/people?page=${slug === 'metro' ? 40 : Math.floor((await activePeople(slug)) / 100)}`],
      ['Photos desk', async () => '/photos'],
      ['Devices', async () => '/devices'],
      ['Devices: search', async () => '/devices?q=lt-000012'],
      ['User Profile', async (slug) => `/people/${encodeURIComponent(await someone(slug))}`],
    ];
    const rows: Array<Array<string | number>> = [];
    let met = true;
    for (const [name, path] of pages) {
      const big = await measure(server, await path('metro'), metro, connections, seconds);
      const small = await measure(server, await path('village'), village, connections, seconds);
      const ok = big.p99Ms < 100 && big.p99Ms <= 2 * Math.max(small.p99Ms, 5);
      met &&= ok;
      rows.push([name, big.p50Ms.toFixed(1), big.p99Ms.toFixed(1), small.p50Ms.toFixed(1), small.p99Ms.toFixed(1), (big.p99Ms / small.p99Ms).toFixed(2), ok ? 'met' : 'NOT met']);
    }
    printTable(['page', `metro p50 ms`, 'metro p99 ms', 'village p50 ms', 'village p99 ms', 'p99 ×', 'p99 < 100 ms and ≤ 2× small'], rows);
    console.log(`server peak RSS ${(await peakRssMb(server.pid)).toFixed(0)} MB; target ${met ? 'met on every page' : 'NOT met on every page'}`);
  } finally {
    await cleanup.run();
  }
}

async function measure(server: RunningLanyard, path: string, cookie: string, connections: number, seconds: number): Promise<LoadResult> {
  const r = await httpLoad(server.url(path), { connections, seconds, headers: { cookie } });
  if (r.failures > 0) throw new Error(`${path}: ${r.failures} responses were not 200`);
  return r;
}

/**
 * Everything in a few set-based statements. Names, schools and grades repeat
 * the way a real roster's do, so the filters select realistic fractions: a
 * school is a third of a district, a grade a thirteenth, staff a tenth,
 * inactive a twentieth, no photo a tenth.
 */
export async function fill(c: pg.Client, n: { districts: number; largest: number; eachSmall: number }) {
  const now = new Date().toISOString();
  const hash = (await c.query<{ sftp_password_hash: string }>(`select sftp_password_hash from districts where slug = 'village'`)).rows[0]!.sftp_password_hash;
  await c.query(
    `insert into districts (slug, name, sftp_password_hash, sftp_auth, created_at)
     select 'district-' || g, 'District ' || g, $1, 'password', $2 from generate_series(3, $3) g`,
    [hash, now, n.districts],
  );
  const person = (districtExpr: string, idExpr: string) => `
    select ${districtExpr}, ${idExpr}, ltrim(${idExpr}, '0'),
      (array['Ada','Ben','Cleo','Dev','Eli','Fay','Gus','Hal','Ivy','Jo','Kai','Lena','Mo','Noor','Oli','Pia'])[1 + g % 16],
      (array['Okafor','Nguyen','Garcia','Schmidt','Patel','Müller','O''Brien','Johansson','Kowalski','Haddad','Tanaka','Silva','Novak','Rossi','Dubois','Cohen','Ivanova','Mensah','Larsen','Kim'])[1 + (g / 16) % 20] || (g % 97),
      case when g % 10 = 0 then 'staff' else 'student' end,
      (array['101','201','301'])[1 + g % 3],
      case when g % 10 = 0 then null else (array['K','1','2','3','4','5','6','7','8','9','10','11','12'])[1 + g % 13] end,
      case when g % 20 = 7 then 0 else 1 end, $1, $1`;
  const cols = `(district_id, local_id, local_id_key, first_name, last_name, role, school, grade, active, created_at, updated_at)`;
  await c.query(`insert into people ${cols} ${person(`(select id from districts where slug = 'metro')`, `lpad(g::text, 7, '0')`)} from generate_series(1, $2) g`, [now, n.largest]);
  await c.query(
    `insert into people ${cols} ${person('d.id', `lpad(g::text, 7, '0')`)} from districts d cross join generate_series(1, $2) g where d.slug <> 'metro'`,
    [now, n.eachSmall],
  );
  await c.query(
    `insert into photo_versions (district_id, person_id, url_key, original_key, original_sha256, original_size, profile_key, thumb_key, file, event_id, match_rule, created_at)
     select district_id, id, md5(random()::text || id), 'bench-original', md5(id::text) || md5(id::text), 12345, 'bench-profile', 'bench-thumb', local_id || '.jpg', null, 'exact', $1
     from people where (id % 10) <> 3`,
    [now],
  );
  await c.query(`insert into person_photos (person_id, district_id, version_id, updated_at) select person_id, district_id, id, $1 from photo_versions`, [now]);
  await c.query(
    `insert into devices (district_id, asset_tag, serial_number, model, state, created_at, updated_at)
     select p.district_id, 'LT-' || p.local_id, 'SN' || p.id, 'Chromebook 14', 'available', $1, $1 from people p where p.id % 2 = 0`,
    [now],
  );
  // As autovacuum would have after years of imports: statistics, and the visibility map index-only counts need.
  await c.query('vacuum analyze');
}

async function signIn(server: RunningLanyard, slug: string): Promise<string> {
  const res = await fetch(server.url('/login'), {
    method: 'POST',
    body: new URLSearchParams({ email: `admin@${slug}.k12.us`, password: PASSWORD }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (res.status !== 303 || !cookie) throw new Error(`sign-in to ${slug} failed: ${res.status}`);
  return cookie;
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
