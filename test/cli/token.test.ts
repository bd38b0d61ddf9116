import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliActor } from '../../src/cli/actor.js';
import { openDb } from '../../src/db/db.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

interface Listed {
  tokens: Array<{ id: number; label: string | null; shown: string | null; expiresAt: string | null; expired: boolean }>;
}

for (const dialect of DIALECTS) {
  describe(`API tokens: made, listed, expiring and revoked (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', 'correct horse battery staple');
      server = await ws.start();
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    const status = async (token: string) =>
      (await fetch(server.url('/api/v1/intake/events?after=0'), { headers: { authorization: `Bearer ${token}` } })).status;

    test('a token works until it is revoked; the list tells tokens apart without showing them; both are audited', async () => {
      const made = await ws.cliJson<{ token: string; id: number }>(['token', 'create', 'springfield', '--label', 'Incident IQ sync']);
      assert.equal(await status(made.token), 200);
      const listed = await ws.cliJson<Listed>(['token', 'list', 'springfield']);
      const mine = listed.tokens.find((t) => t.id === made.id);
      assert.equal(mine?.label, 'Incident IQ sync');
      assert.equal(mine?.shown, `${made.token.slice(0, 10)}…`);
      assert.ok(!JSON.stringify(listed).includes(made.token), 'the list never shows a whole token');

      const revoked = await ws.cli(['token', 'revoke', 'springfield', String(made.id)]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, /is revoked: calls with it now get 401/);
      assert.equal(await status(made.token), 401);

      const again = await ws.cli(['token', 'revoke', 'springfield', String(made.id)]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`springfield has no API token number ${made.id}: \`lanyard token list springfield\` shows its tokens`));

      const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
      try {
        const cli = cliActor().actor;
        const actions = (await db.kysely.selectFrom('audit_log').select(['action', 'actor']).where('action', 'like', 'settings.api-token-%').orderBy('id').execute());
        assert.deepEqual(actions, [
          { action: 'settings.api-token-created', actor: cli },
          { action: 'settings.api-token-revoked', actor: cli },
        ]);
      } finally {
        await db.close();
      }
    });

    test('a token with an expiry stops working once it has passed', async () => {
      const made = await ws.cliJson<{ token: string; id: number; expiresAt: string }>(['token', 'create', 'springfield', '--expires', '30']);
      assert.equal(await status(made.token), 200);
      // Move its expiry into the past, as time would.
      const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
      try {
        await db.kysely.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', made.id).execute();
      } finally {
        await db.close();
      }
      assert.equal(await status(made.token), 401);
      const listed = await ws.cliJson<Listed>(['token', 'list', 'springfield']);
      assert.equal(listed.tokens.find((t) => t.id === made.id)?.expired, true);
    });

    test('an expiry that is not a future date is refused with what to give instead', async () => {
      const bad = await ws.cli(['token', 'create', 'springfield', '--expires', 'next tuesday']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /"next tuesday" is neither a date like 2027-06-30 nor a number of days/);
      const past = await ws.cli(['token', 'create', 'springfield', '--expires', '2020-01-01']);
      assert.equal(past.code, 1);
      assert.match(past.stderr, /is not a date in the future/);
    });
  });
}
