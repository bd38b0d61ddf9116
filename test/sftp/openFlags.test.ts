import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { REPO, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { run } from '../helpers/run.js';

const PASSWORD = 'correct horse battery staple';
const SCRIPT = path.join(REPO, 'test/helpers/paramiko_open_flags.py');

interface Step {
  path: string;
  mode: 'w' | 'wx' | 'r+';
  offset?: number;
  data: string;
}
type Result = { ok: true; size: number } | { ok: false; error: string };

/**
 * What an SFTP OPEN's flags ask of a file that is or is not there, through
 * paramiko, whose file modes map onto them: O_EXCL refuses an existing file,
 * an OPEN without O_CREAT refuses a missing one, and one without O_TRUNC
 * keeps the bytes the client does not write over.
 */
for (const dialect of DIALECTS) {
  describe(`SFTP OPEN flags (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      server = await ws.start(['--intake', 'off']);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    const open = async (steps: Step[]): Promise<Result[]> => {
      const r = await run('/usr/bin/python3', [SCRIPT, String(server.sftpPort), 'springfield', PASSWORD], { input: JSON.stringify(steps), timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.output);
      return JSON.parse(r.stdout) as Result[];
    };

    test('create-only refuses an existing file, existing-only refuses a missing one, and neither touches what is there', async () => {
      const results = await open([
        { path: 'data/students.csv', mode: 'w', data: 'Local ID,First Name\n1,Ann\n' },
        { path: 'data/students.csv', mode: 'wx', data: 'replaced' },
        { path: 'data/staff.csv', mode: 'wx', data: 'Local ID\n' },
        { path: 'data/teachers.csv', mode: 'r+', data: 'x' },
        { path: 'data/students.csv', mode: 'r+', offset: 0, data: 'LOCAL' },
      ]);
      assert.deepEqual(results[0], { ok: true, size: 26 });
      assert.equal(results[1]?.ok, false);
      assert.match((results[1] as { error: string }).error, /students\.csv already exists in data/);
      assert.deepEqual(results[2], { ok: true, size: 9 }, 'a new name is created');
      assert.equal(results[3]?.ok, false);
      assert.match((results[3] as { error: string }).error, /There is no file "teachers\.csv" in data/);
      assert.deepEqual(results[4], { ok: true, size: 26 }, 'without truncate, the bytes not written over stay');
    });
  });
}
