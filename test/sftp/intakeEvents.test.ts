import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openssh, type ClientLogin, type Op } from '../helpers/clients.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const PASSWORD = 'correct horse battery staple';
const OUTCOMES = ['received', 'linked', 'unmatched', 'rejected', 'removed', 'imported'];

interface Event {
  id: number;
  at: string;
  source: string;
  folder: string;
  file: string;
  outcome: string;
  localId: string | null;
  message: string;
}

for (const dialect of DIALECTS) {
  describe(`following intake events over the API (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let tmp: string;
    const tokens: Record<string, string> = {};

    const get = (query: string, authorization?: string) =>
      fetch(server.url(`/api/v1/intake/events${query}`), { headers: authorization ? { authorization } : {} });
    const events = async (slug: string, query = '') => {
      const res = await get(query, `Bearer ${tokens[slug]}`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { events: Event[] }).events;
    };
    const upload = async (slug: string, names: string[]) => {
      const login: ClientLogin = { port: server.sftpPort, username: slug, password: PASSWORD, hostKeys: [] };
      const ops = await Promise.all(
        names.map(async (name): Promise<Op> => {
          const local = path.join(tmp, `${slug}-${name}`);
          await fs.writeFile(local, randomBytes(1000));
          return { op: 'put', local, remote: `idphotos/${name}` };
        }),
      );
      const r = await openssh.run(login, ops);
      assert.ok(r.ok, r.output);
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sftp-events-'));
      for (const slug of ['springfield', 'shelbyville']) {
        await ws.district(slug, PASSWORD);
        tokens[slug] = await ws.token(slug);
      }
      server = await ws.start();
      await upload('springfield', ['100001.jpg', '100002.jpg', '100003.jpg']);
      await upload('shelbyville', ['900001.jpg']);
      await upload('springfield', ['100004.jpg']);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    test('without a token, or with a wrong one, the answer is 401 and no events', async () => {
      for (const auth of [undefined, 'Bearer not-a-real-token', `Bearer ${tokens.springfield}x`, `Basic ${Buffer.from('springfield:' + PASSWORD).toString('base64')}`]) {
        const res = await get('', auth);
        assert.equal(res.status, 401, String(auth));
        assert.doesNotMatch(await res.text(), /100001|900001/);
      }
    });

    test("each district sees its own uploads, oldest first, and never another district's", async () => {
      const mine = await events('springfield');
      assert.deepEqual(mine.map((e) => e.file), ['100001.jpg', '100002.jpg', '100003.jpg', '100004.jpg']);
      const ids = mine.map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      for (const e of mine) {
        assert.equal(typeof e.id, 'number');
        assert.ok(!Number.isNaN(Date.parse(e.at)), e.at);
        assert.equal(e.source, 'sftp');
        assert.equal(e.folder, 'idphotos');
        assert.ok(OUTCOMES.includes(e.outcome), e.outcome);
        assert.equal(typeof e.message, 'string');
      }
      assert.deepEqual((await events('shelbyville')).map((e) => e.file), ['900001.jpg']);
    });

    test('after= pages on from the last event seen, and ends with an empty page', async () => {
      const all = await events('springfield');
      assert.deepEqual((await events('springfield', `?after=${all[1]!.id}`)).map((e) => e.file), ['100003.jpg', '100004.jpg']);
      // Another district's id as the cursor still shows only this district's later events.
      const theirs = (await events('shelbyville'))[0]!.id;
      assert.deepEqual((await events('springfield', `?after=${theirs}`)).map((e) => e.file), ['100004.jpg']);
      assert.deepEqual(await events('springfield', `?after=${all.at(-1)!.id}`), []);
    });
  });
}
