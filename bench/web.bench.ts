import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoPortrait, type DemoPerson } from '../src/cli/demoData.js';
import { Workspace, type RunningLanyard } from '../test/helpers/lanyard.js';
import { opensshSftp } from '../test/helpers/openssh.js';
import { Cleanup } from './lib/cleanup.js';
import { httpLoad, type LoadResult } from './lib/httpLoad.js';
import { startNginx } from './lib/nginx.js';
import { printTable } from './lib/table.js';

/**
 * The web app under load, on the real server with real data: a district of
 * 100 people whose roster and photos went in over SFTP through the intake.
 * Measures a signed-in People page of 100 people with thumbnails, and an
 * authorised thumbnail request, beside Debian's nginx serving the same
 * thumbnail bytes as a static file (one worker, like Lanyard's one process),
 * with the same client in the same run. Targets: thumbnails at least half of
 * nginx's rate; the People page's p99 under 50 ms.
 *
 * BENCH_SECONDS (default 10) per case, BENCH_CONNECTIONS (default 8).
 */
const PEOPLE = 100;
const PASSWORD = 'bench-password-1';
const EMAIL = 'bench@bench.k12.us';

export default async function webBench(): Promise<void> {
  const seconds = Math.max(1, Number(process.env.BENCH_SECONDS ?? 10));
  const connections = Math.max(1, Number(process.env.BENCH_CONNECTIONS ?? 8));
  const cleanup = new Cleanup();
  try {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-bench-web-'));
    cleanup.add(`delete ${dir}`, () => fs.rm(dir, { recursive: true, force: true }));
    const ws = await Workspace.create('sqlite');
    cleanup.add('delete the workspace', () => ws.dispose());
    const sheet = await ws.district('bench');
    const token = await ws.token('bench');
    const staff = await ws.cli(['staff', 'create', 'bench', '--email', EMAIL, '--password', PASSWORD, '--role', 'admin']);
    if (staff.code !== 0) throw new Error(`staff create failed: ${staff.stderr}`);
    const server = await ws.start();
    cleanup.add('stop lanyard', () => server.stop());

    await fillDistrict(dir, server, sheet.sftp.password, token);
    const cookie = await signIn(server);
    const peopleHtml = await (await fetch(server.url('/people'), { headers: { cookie } })).text();
    const thumbs = [...peopleHtml.matchAll(/<img class="face face-thumb" src="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    if (thumbs.length !== PEOPLE) throw new Error(`the People page showed ${thumbs.length} thumbnails, expected ${PEOPLE}`);
    const thumbUrl = server.url(thumbs[0]!);
    const thumbRes = await fetch(thumbUrl, { headers: { cookie } });
    if (thumbRes.status !== 200) throw new Error(`the thumbnail answered ${thumbRes.status}`);
    const www = path.join(dir, 'www');
    await fs.mkdir(www);
    // Run as root, nginx's workers drop to nobody: they must be able to read the file.
    await fs.chmod(dir, 0o755);
    await fs.writeFile(path.join(www, 'thumb.jpg'), Buffer.from(await thumbRes.arrayBuffer()));
    const nginx = await startNginx(dir, www);
    cleanup.add('stop nginx', () => nginx.stop());

    console.log(`${PEOPLE} people with photos; ${connections} keep-alive connections, ${seconds} s per case, on ${os.availableParallelism()} cores`);
    const page = await httpLoad(server.url('/people'), { connections, seconds, headers: { cookie } });
    const thumb = await httpLoad(thumbUrl, { connections, seconds, headers: { cookie } });
    const stat = await httpLoad(`http://127.0.0.1:${nginx.port}/thumb.jpg`, { connections, seconds });
    for (const [name, r] of [['people page', page], ['thumbnail', thumb], ['nginx', stat]] as const) {
      if (r.failures > 0) throw new Error(`${name}: ${r.failures} responses were not 200`);
    }
    const row = (name: string, r: LoadResult, vsNginx: string, target: string) => [name, Math.round(r.perSecond), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), vsNginx, target];
    printTable(
      ['case', 'req/s', 'p50 ms', 'p99 ms', '× nginx static', 'target'],
      [
        row(`Lanyard People page (${PEOPLE} people, thumbnails)`, page, '-', page.p99Ms < 50 ? 'p99 < 50 ms: met' : 'p99 < 50 ms: NOT met'),
        row('Lanyard thumbnail (signed in)', thumb, (thumb.perSecond / stat.perSecond).toFixed(2), thumb.perSecond >= stat.perSecond / 2 ? '≥ 0.5 × nginx: met' : '≥ 0.5 × nginx: NOT met'),
        row('nginx static file (same bytes)', stat, '1.00', ''),
      ],
    );
  } finally {
    await cleanup.run();
  }
}

/** A roster and a photo per person, uploaded over SFTP with OpenSSH as a district would, then waited for. */
async function fillDistrict(dir: string, server: RunningLanyard, password: string, token: string) {
  const people: DemoPerson[] = Array.from({ length: PEOPLE }, (_, i) => ({
    localId: String(500000 + i),
    firstName: ['Ada', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo'][i % 10]!,
    lastName: `Bench${String(i).padStart(3, '0')}`,
    grade: String(1 + (i % 12)),
    building: '101',
    role: 'student',
  }));
  const up = path.join(dir, 'upload');
  await fs.mkdir(up);
  await fs.writeFile(path.join(up, 'students.csv'), ['Local ID,First Name,Last Name,Grade,Building Code', ...people.map((p) => `${p.localId},${p.firstName},${p.lastName},${p.grade},${p.building}`)].join('\n') + '\n');
  await Promise.all(people.map(async (p, i) => fs.writeFile(path.join(up, `${p.localId}.jpg`), await demoPortrait(p, i))));
  const login = { port: server.sftpPort, username: 'bench', password };
  const put = async (commands: string[]) => {
    const r = await opensshSftp(login, commands);
    if (r.code !== 0) throw new Error(`sftp failed: ${r.output}`);
  };
  await put([`cd data`, `put ${path.join(up, 'students.csv')}`]);
  await intakeDone(server, token, 1);
  await put([`cd idphotos`, `put ${path.join(up, '*.jpg')}`]);
  await intakeDone(server, token, 1 + PEOPLE);
}

async function intakeDone(server: RunningLanyard, token: string, expected: number) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await fetch(server.url('/api/v1/intake/events?after=0'), { headers: { authorization: `Bearer ${token}` } });
    const { events } = (await res.json()) as { events: Array<{ outcome: string }> };
    if (events.length >= expected && events.every((e) => e.outcome !== 'received')) {
      const bad = events.filter((e) => e.outcome === 'rejected');
      if (bad.length) throw new Error(`the intake rejected ${bad.length} files: ${JSON.stringify(bad[0])}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`the intake did not finish ${expected} files in 2 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function signIn(server: RunningLanyard): Promise<string> {
  const res = await fetch(server.url('/login'), {
    method: 'POST',
    body: new URLSearchParams({ email: EMAIL, password: PASSWORD }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (res.status !== 303 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie;
}
