import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { FIXTURES, Workspace } from '../helpers/lanyard.js';

const R = path.join(FIXTURES, 'rosters');

interface ImportJson {
  outcome: string;
  dryRun: boolean;
  counts: Record<string, number>;
  message: string;
  rowErrors: Array<{ line: number; localId: string | null; message: string }>;
  changes: { created: string[]; updated: Array<{ localId: string; changed: Record<string, { from: unknown; to: unknown }> }>; deactivated: string[]; reactivated: string[] };
}

for (const dialect of DIALECTS) {
  describe(`lanyard roster (${dialect})`, () => {
    let ws: Workspace;
    let tmp: string;

    before(async () => {
      ws = await Workspace.create(dialect);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-cli-'));
      for (const slug of ['springfield', 'guarded', 'every']) await ws.district(slug);
    });
    after(async () => {
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    const importJson = (slug: string, file: string, ...flags: string[]) => ws.cliJson<ImportJson>(['roster', 'import', slug, file, ...flags]);

    test('import, a dry run of next month showing every change, then history', async () => {
      const first = await importJson('springfield', path.join(R, 'native/students.csv'));
      assert.deepEqual(first.counts, { created: 40, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0, errors: 0 });
      const settings = await ws.cliJson<{ settings: { deactivateMissing: Record<string, boolean> } }>(['roster', 'settings', 'springfield', '--deactivate-missing', 'students']);
      assert.deepEqual(settings.settings.deactivateMissing, { student: true, staff: false });
      const daily = await ws.cli(['roster', 'settings', 'springfield', '--daily', '02:30', '--grade', 'P3=PK']);
      assert.equal(daily.code, 0, daily.stderr);
      assert.match(daily.stdout, /daily import of the files in data\/: 02:30 UTC/);
      assert.match(daily.stdout, /grade spellings: P3=PK/);
      assert.match(daily.stdout, /deactivate people missing from a full file: students/);

      const dry = await importJson('springfield', path.join(R, 'native/students-later.csv'), '--dry-run');
      assert.equal(dry.dryRun, true);
      assert.deepEqual(dry.changes.created, ['100199']);
      assert.deepEqual(dry.changes.updated, [
        { localId: '004412', changed: { lastName: { from: 'Schmidt', to: 'Renamed' }, email: { from: 'aiko.schmidt@example.org', to: 'aiko.renamed@example.org' } } },
      ]);
      assert.deepEqual(dry.changes.deactivated.sort(), ['004410', '004411']);
      const text = await ws.cli(['roster', 'import', 'springfield', path.join(R, 'native/students-later.csv'), '--dry-run']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^Dry run of students-later\.csv: 1 created, 1 updated, 37 unchanged, 2 deactivated/);
      assert.match(text.stdout, /update +004412 +lastName: "Schmidt" -> "Renamed"/);
      assert.match(text.stdout, /deactivate +004410/);

      const history = await ws.cliJson<{ imports: Array<{ file: string; outcome: string; created: number; source: string }> }>(['roster', 'history', 'springfield']);
      assert.deepEqual(history.imports.map((i) => [i.file, i.outcome, i.created, i.source]), [['students.csv', 'imported', 40, 'cli']], 'dry runs change nothing and are not history');
      const later = await importJson('springfield', path.join(R, 'native/students-later.csv'));
      assert.deepEqual(later.counts, { created: 1, updated: 1, unchanged: 37, deactivated: 2, reactivated: 0, errors: 0 });
      const h2 = await ws.cli(['roster', 'history', 'springfield']);
      assert.match(h2.stdout, /students-later\.csv \(cli\) imported: 1 created, 1 updated, 37 unchanged, 2 deactivated/);
    });

    test('the guard: 30% of students missing deactivates no one and says how to force it; forced, it does', async () => {
      const lines = (ids: number[]) => `Local ID,First Name,Last Name,Grade\n${ids.map((i) => `G${i},Kid,Lee,3`).join('\n')}\n`;
      const all = path.join(tmp, 'students.csv');
      await fs.writeFile(all, lines(Array.from({ length: 100 }, (_, i) => i)));
      await importJson('guarded', all);
      await ws.cliJson(['roster', 'settings', 'guarded', '--deactivate-missing', 'both']);
      const partialDir = await fs.mkdtemp(path.join(tmp, 'partial-'));
      const partial = path.join(partialDir, 'students.csv');
      await fs.writeFile(partial, lines(Array.from({ length: 70 }, (_, i) => i + 30)));
      const held = await importJson('guarded', partial);
      assert.equal(held.counts.deactivated, 0);
      assert.match(held.message, /No students were deactivated: 30 of 100 active students \(30%\) are missing from this file, more than the 10% limit/);
      assert.match(held.message, new RegExp(`lanyard roster import guarded ${partial.replace(/[/.]/g, '\\$&')} --force-deactivate`));
      const forced = await importJson('guarded', partial, '--force-deactivate');
      assert.equal(forced.counts.deactivated, 30);
      assert.deepEqual(forced.changes.deactivated.slice(0, 2), ['G0', 'G1']);
      const back = await importJson('guarded', all);
      assert.equal(back.counts.reactivated, 30);
    });

    test('every fixture: accepted ones import, rejected ones exit 1 with line and column, nothing half-done', async () => {
      const ok: Array<[string, RegExp]> = [
        ['native/students.csv', /40 created/],
        ['native/staff.csv', /8 created/],
        ['clever/schools.csv', /3 schools recorded/],
        ['clever/students.csv', /0 created, 0 updated, 40 unchanged/],
        ['clever/teachers.csv', /0 created, 0 updated, 3 unchanged/],
        ['clever/staff.csv', /0 created, 0 updated, 5 unchanged/],
        ['oneroster-1.1/users.csv', /0 created, 0 updated, 48 unchanged/],
        ['oneroster-1.1.zip', /0 created, 0 updated, 48 unchanged/],
        ['excel/students-bom-semicolon.csv', /5 unchanged/],
        ['excel/students-utf16le.csv', /5 unchanged/],
        ['bad/duplicate-ids/students.csv', /0 created.*2 errors/],
        ['bad/empty-required/students.csv', /0 created.*2 errors/],
        ['bad/formula-injection/students.csv', /2 created/],
      ];
      for (const [rel, want] of ok) {
        const r = await importJson('every', path.join(R, rel));
        assert.equal(r.outcome, 'imported', rel);
        assert.match(r.message, want, rel);
      }
      const rejected: Array<[string, RegExp]> = [
        ['bad/missing-local-id-column/students.csv', /Line 1: there is no Local ID column/],
        ['bad/unclosed-quote/students.csv', /Line 2, column 2: a quote/],
      ];
      for (const [rel, want] of rejected) {
        const r = await ws.cli(['roster', 'import', 'every', path.join(R, rel), '--json']);
        assert.equal(r.code, 1, rel);
        assert.match((JSON.parse(r.stdout) as { error: string }).error, want);
      }
      const history = await ws.cliJson<{ imports: Array<{ outcome: string }> }>(['roster', 'history', 'every', '--limit', '100']);
      assert.equal(history.imports.filter((i) => i.outcome === 'rejected').length, 2);
    });

    test('a district that does not exist, and a file that does not, are plain sentences', async () => {
      const r = await ws.cli(['roster', 'import', 'nowhere', path.join(R, 'native/students.csv')]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /There is no district called "nowhere"/);
      const f = await ws.cli(['roster', 'import', 'springfield', path.join(tmp, 'missing.csv')]);
      assert.equal(f.code, 1);
      assert.match(f.stderr, /no such file/);
    });
  });
}
