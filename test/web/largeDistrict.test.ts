import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDb } from '../../src/db/db.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { WebClient } from '../helpers/webClient.js';

const PEOPLE = 100_000;
/** More than either database takes as parameters of one query (SQLite 32,766; PostgreSQL 65,535). */
const WITH_PHOTO = 70_000;
const PASSWORD = 'large-district-password';

/**
 * Family0000 to Family4999, 20 people each. Among the 2,000 that "family00"
 * finds, odd families write their surname in lower case, and some people's
 * first name is "Family" too: the list orders names ignoring case and shows
 * someone whom two of a search's ranges match once.
 */
const lastName = (i: number) => {
  const family = i % 5000;
  const name = `Family${String(family).padStart(4, '0')}`;
  return family < 100 && family % 2 === 1 ? name.toLowerCase() : name;
};
const firstName = (i: number) => (i % 5000 < 100 && i % 5000 !== 42 && i % 7 === 0 ? 'Family' : ['Ada', 'Ben', 'Cleo', 'Dev'][i % 4]!);
const byName = (a: { first: string; last: string; localId: string }, b: { first: string; last: string; localId: string }) =>
  compare(a.last.toLowerCase(), b.last.toLowerCase()) ||
  compare(a.first.toLowerCase(), b.first.toLowerCase()) ||
  compare(a.localId, b.localId);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Rows straight into the database in batches small enough for SQLite's parameter limit, as years of imports would leave them. */
async function fill(ws: Workspace): Promise<void> {
  const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
  try {
    const { id } = await db.kysely.selectFrom('districts').select('id').where('slug', '=', 'metro').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const batch = 2000;
    for (let start = 0; start < PEOPLE; start += batch) {
      const rows = Array.from({ length: Math.min(batch, PEOPLE - start) }, (_, k) => {
        const i = start + k;
        const localId = String(1_000_000 + i);
        return {
          district_id: id,
          local_id: localId,
          local_id_key: localId,
          first_name: firstName(i),
          last_name: lastName(i),
          role: i % 10 === 0 ? ('staff' as const) : ('student' as const),
          school: ['101', '201', '301'][i % 3]!,
          grade: String(i % 13),
          email: null,
          state_id: null,
          active: i % 20 === 7 ? 0 : 1,
          created_at: now,
          updated_at: now,
        };
      });
      await db.kysely.insertInto('people').values(rows).execute();
    }
    const people = await db.kysely.selectFrom('people').select(['id', 'local_id']).where('district_id', '=', id).orderBy('id').limit(WITH_PHOTO).execute();
    for (let start = 0; start < people.length; start += batch) {
      const versions = await db.kysely
        .insertInto('photo_versions')
        .values(
          people.slice(start, start + batch).map((p) => ({
            district_id: id,
            person_id: p.id,
            url_key: `k${p.id}`,
            original_key: 'o',
            original_sha256: 's'.repeat(64),
            original_size: 1,
            profile_key: 'p',
            thumb_key: 't',
            file: `${p.local_id}.jpg`,
            event_id: null,
            match_rule: 'exact',
            created_at: now,
          })),
        )
        .returning(['id', 'person_id'])
        .execute();
      await db.kysely
        .insertInto('person_photos')
        .values(versions.map((v) => ({ person_id: v.person_id, district_id: id, version_id: v.id, updated_at: now })))
        .execute();
    }
  } finally {
    await db.close();
  }
}

for (const dialect of DIALECTS) {
  describe(`a district of ${PEOPLE.toLocaleString('en-US')} people, ${WITH_PHOTO.toLocaleString('en-US')} with a photo (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let web: WebClient;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('metro');
      const r = await ws.cli(['staff', 'create', 'metro', '--email', 'admin@metro.k12.us', '--password', PASSWORD, '--role', 'admin']);
      assert.equal(r.code, 0, r.stderr);
      await fill(ws);
      server = await ws.start(['--intake', 'off']);
      web = new WebClient(server);
      await web.signIn('admin@metro.k12.us', PASSWORD);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('every People filter answers, the photo filters included, and says how many it found', async () => {
      const pages: Array<[string, RegExp]> = [
        ['/people', /More than 10,000 people: add a filter or search to narrow them/],
        ['/people?photo=yes', /More than 10,000 people/],
        ['/people?photo=no&school=201&active=all', /\bShowing 1–100 of 10,000 people\b/],
        ['/people?photo=no&school=201', /\bShowing 1–100 of 9,500 people\b/],
        ['/people?photo=no&school=201&grade=5&role=student', /\b\d{3,4} people\b/],
        ['/people?photo=yes&active=no&grade=7', /\b\d{2,4} people\b/],
        ['/people?q=1099999', /1 person/],
        ['/people?q=Family0042&photo=no', /\b\d+ people\b/],
        // Search is by the start of a name, the full name, an email or a Local ID (leading zeros aside), in any case.
        ['/people?q=family0042&active=all', /\b20 people\b/],
        ['/people?q=cleo%20family0042&active=all', /\b20 people\b/],
        ['/people?q=00109999&active=all', /\b10 people\b/],
        ['/people?q=a', /More than 10,000 people/],
        ['/people?photo=no&page=20', /Family/],
      ];
      for (const [path, says] of pages) {
        const { status, html } = await web.page(path);
        assert.equal(status, 200, path);
        assert.match(html, says, path);
      }
    });

    test('the filters agree with each other: with a photo and without add up to everyone in a school', async () => {
      const count = async (path: string) => Number(/([\d,]+) people/.exec((await web.page(path)).html)?.[1]?.replace(/,/g, ''));
      const q = 'school=301&grade=12';
      const all = await count(`/people?${q}`);
      assert.ok(all > 0);
      assert.equal((await count(`/people?${q}&photo=yes`)) + (await count(`/people?${q}&photo=no`)), all);
    });

    test('sorted pages and the CSV download of a filtered list answer in a district this size', async () => {
      const pages: Array<[string, RegExp]> = [
        ['/people?sort=-localId', /<a href="\/people\/1099999">/],
        ['/people?sort=localId&school=201&active=all&page=30', /<a href="\/people\/100870\d">/],
        ['/people?sort=-name&q=family0042', /Family0042/],
        ['/people?sort=-name&photo=no&page=5', /Family4/],
      ];
      for (const [path, says] of pages) {
        const { status, html } = await web.page(path);
        assert.equal(status, 200, path);
        assert.match(html, says, path);
      }
      const res = await web.fetch('/people.csv?school=201&photo=no&active=all');
      assert.equal(res.status, 200);
      const lines = (await res.text()).split('\r\n').filter((l) => l !== '');
      assert.equal(lines.length, 1 + 10_000, 'the header and every match, streamed in pages');
    });

    test('the list and a search with thousands of matches page in name order, ignoring letter case, both ways', async () => {
      // "family00" is Family0000 to family0099: 2,000 people, too many to gather by id (db/search.ts), each surname's
      // range read in the list's order; some match the first-name range as well.
      const everyone = Array.from({ length: PEOPLE }, (_, i) => ({ i, localId: String(1_000_000 + i), first: firstName(i), last: lastName(i) })).sort(byName);
      const matches = everyone.filter((p) => p.i % 5000 < 100);
      const shown = (html: string) => [...new Set([...html.matchAll(/<a href="\/people\/(\d+)">/g)].map((m) => m[1]))];
      for (const [path, expected] of [
        ['/people?q=family00&active=all&page=2', matches.slice(100, 200)],
        ['/people?q=family00&active=all&sort=-name&page=3', [...matches].reverse().slice(200, 300)],
        ['/people?q=family000&active=all', matches.slice(0, 100)],
        ['/people?active=all&page=2', everyone.slice(100, 200)],
      ] as const) {
        const { status, html } = await web.page(path);
        assert.equal(status, 200, path);
        if (path.includes('family00&')) assert.match(html, /of 2,000 people/, path);
        assert.deepEqual(shown(html), expected.map((m) => m.localId), path);
      }
    });

    test('the Photos desk answers without counting the whole district, and sends a school\'s coverage to the People page', async () => {
      const { status, html } = await web.page('/photos');
      assert.equal(status, 200);
      assert.match(html, /More than 10,000 active people: too many to count on every visit/);
      assert.match(html, /More than 10,000 active people have no photo/);
    });
  });
}
