import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb, type Db } from '../../src/db/db.js';
import { createLoginGuard } from '../../src/loginGuard/loginGuard.js';
import { createDatabase, DIALECTS, dropDatabase } from '../helpers/databases.js';

/**
 * The guard as the SFTP login and the web sign-in use it, on both databases
 * (several nodes share these counters through the database).
 */
for (const dialect of DIALECTS) {
  describe(`the login guard locks addresses, never accounts (${dialect})`, () => {
    let dir: string;
    let url: string | undefined;
    let db: Db;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'guard-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('an address is locked after its failures; the right password from elsewhere still gets in, and a locked address hears "wrong"', async () => {
      const guard = createLoginGuard(db, { failuresPerAddress: 3, lockoutSeconds: 900 });
      for (let i = 0; i < 3; i++) assert.equal((await guard.checkPassword('198.51.100.1', 'springfield', async () => undefined)).ok, false);
      assert.equal(await guard.isAddressLocked('198.51.100.1'), true);
      assert.equal(await guard.isAddressLocked('198.51.100.2'), false);

      let asked = false;
      const fromLocked = await guard.checkPassword('198.51.100.1', 'springfield', async () => {
        asked = true;
        return 'signed in';
      });
      assert.deepEqual({ ok: fromLocked.ok, asked }, { ok: false, asked: false }, 'a locked address is refused without checking the password');
      assert.ok(!fromLocked.ok && fromLocked.delayMs > 0, 'and waits like a wrong password');

      const fromElsewhere = await guard.checkPassword('198.51.100.2', 'springfield', async () => 'signed in');
      assert.deepEqual(fromElsewhere, { ok: true, value: 'signed in' });
    });

    test('many failures against one account from many addresses never lock the account', async () => {
      const guard = createLoginGuard(db, { failuresPerAddress: 2, lockoutSeconds: 900 });
      await Promise.all(Array.from({ length: 30 }, (_, i) => guard.recordFailure(`192.0.2.${i + 1}`, 'shelbyville')));
      const ok = await guard.checkPassword('192.0.2.200', 'shelbyville', async () => 'in');
      assert.equal(ok.ok, true);
    });

    test('failures counted at once on several connections are all counted', async () => {
      const guard = createLoginGuard(db, { failuresPerAddress: 25, lockoutSeconds: 900 });
      await Promise.all(Array.from({ length: 24 }, () => guard.recordFailure('203.0.113.9', 'ogdenville')));
      assert.equal(await guard.isAddressLocked('203.0.113.9'), false, '24 of 25');
      await guard.recordFailure('203.0.113.9', 'ogdenville');
      assert.equal(await guard.isAddressLocked('203.0.113.9'), true, 'the 25th locks');
      const row = await db.kysely.selectFrom('login_throttle').select('failures').where('scope', '=', 'address').where('subject', '=', '203.0.113.9').executeTakeFirstOrThrow();
      assert.equal(Number(row.failures), 25);
    });

    test('IPv6 addresses in one /64 share a count', async () => {
      const guard = createLoginGuard(db, { failuresPerAddress: 2, lockoutSeconds: 900 });
      await guard.recordFailure('2001:db8:5:6::1', 'northhaverbrook');
      await guard.recordFailure('2001:db8:5:6::2', 'northhaverbrook');
      assert.equal(await guard.isAddressLocked('2001:db8:5:6:ffff::3'), true);
      assert.equal(await guard.isAddressLocked('2001:db8:5:7::1'), false);
    });

    test('the lockout ends after the lockout time', async () => {
      const guard = createLoginGuard(db, { failuresPerAddress: 1, lockoutSeconds: 1 });
      await guard.recordFailure('198.51.100.77', 'capitalcity');
      assert.equal(await guard.isAddressLocked('198.51.100.77'), true);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(await guard.isAddressLocked('198.51.100.77'), false);
    });
  });
}
