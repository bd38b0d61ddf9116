import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { openDb, type Db } from '../../src/db/db.js';
import { insertEvent } from '../../src/intake/events.js';
import { claimEvents, finishEvent } from '../../src/intake/queue.js';
import { MAX_ATTEMPTS, RETRY_LATER_TIMES, RetryLater, startIntakeWorker, type Decision, type IntakeHandler } from '../../src/intake/worker.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

for (const dialect of DIALECTS) {
  describe(`the intake queue (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;
    let districtId: number;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'queue-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      const d = await db.kysely
        .insertInto('districts')
        .values({ slug: 'q', name: 'Q', sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      districtId = d.id;
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    const upload = (file: string) =>
      db.kysely.transaction().execute((trx) => insertEvent(trx, { districtId, source: 'sftp', folder: 'idphotos', file, action: 'upload' }));
    /** Finishes whatever earlier tests left, claimed or not. */
    const drain = () => db.kysely.updateTable('intake_events').set({ outcome: 'removed', claimed_until: null }).where('outcome', '=', 'received').execute();

    test('oldest first, and a second claim does not get what the first holds', async () => {
      await drain();
      const a = await upload('1.jpg');
      const b = await upload('2.jpg');
      const first = await claimEvents(db, { folder: 'idphotos', limit: 1, leaseSeconds: 60 });
      assert.deepEqual(first.map((e) => e.id), [a]);
      const second = await claimEvents(db, { folder: 'idphotos', limit: 10, leaseSeconds: 60 });
      assert.deepEqual(second.map((e) => e.id), [b]);
      await drain();
    });

    test('a replacement waits until the photo it replaces is finished', async () => {
      await drain();
      const a = await upload('3.jpg');
      const b = await upload('3.jpg');
      const c = await upload('4.jpg');
      const got = await claimEvents(db, { folder: 'idphotos', limit: 10, leaseSeconds: 60 });
      assert.deepEqual(got.map((e) => e.id), [a, c]);
      await db.kysely.transaction().execute((trx) => finishEvent(trx, a, { outcome: 'removed', message: '' }));
      assert.deepEqual((await claimEvents(db, { folder: 'idphotos', limit: 10, leaseSeconds: 60 })).map((e) => e.id), [b]);
      await drain();
    });

    test('a claim whose lease ran out (its worker died) is taken again, and finishing twice counts once', async () => {
      await drain();
      const a = await upload('5.jpg');
      assert.deepEqual((await claimEvents(db, { folder: 'idphotos', limit: 10, leaseSeconds: -1 })).map((e) => e.id), [a]);
      const again = await claimEvents(db, { folder: 'idphotos', limit: 10, leaseSeconds: 60 });
      assert.deepEqual(again.map((e) => [e.id, e.attempts]), [[a, 2]]);
      assert.equal(await db.kysely.transaction().execute((trx) => finishEvent(trx, a, { outcome: 'removed', message: '' })), true);
      assert.equal(await db.kysely.transaction().execute((trx) => finishEvent(trx, a, { outcome: 'rejected', message: '' })), false);
    });

    test('the worker processes every event once, in order per file, and records the outcome with its changes', async () => {
      await drain();
      const ids: number[] = [];
      for (let i = 0; i < 40; i++) ids.push(await upload(`${i % 7}.jpg`));
      const seen: number[] = [];
      let finished = 0;
      const worker = startIntakeWorker({
        db,
        log: pino({ level: 'silent' }),
        handlers: [
          {
            folder: 'idphotos',
            concurrency: 4,
            settleSeconds: 0,
            leaseSeconds: 30,
            async decide(e): Promise<Decision> {
              seen.push(e.id);
              await new Promise((r) => setTimeout(r, Math.random() * 5));
              return { outcome: 'linked', localId: e.file.replace('.jpg', ''), message: 'ok', afterCommit: async () => void finished++ };
            },
          },
        ],
        pollMs: 50,
      });
      try {
        while (finished < ids.length) await new Promise((r) => setTimeout(r, 20));
      } finally {
        await worker.stop();
      }
      assert.deepEqual([...seen].sort((x, y) => x - y), ids, 'each event exactly once');
      for (let f = 0; f < 7; f++) {
        const forFile = seen.filter((id) => (ids.indexOf(id) % 7) === f);
        assert.deepEqual(forFile, [...forFile].sort((x, y) => x - y), `events for ${f}.jpg in upload order`);
      }
      const rows = await db.kysely.selectFrom('intake_events').select(['outcome', 'local_id']).where('id', 'in', ids).execute();
      assert.ok(rows.every((r) => r.outcome === 'linked' && r.local_id !== null));
    });

    /** Runs a worker with one idphotos handler until `event` has an outcome; returns that row. */
    async function workUntilFinished(event: number, decide: IntakeHandler['decide']) {
      const worker = startIntakeWorker({
        db,
        log: pino({ level: 'silent' }),
        handlers: [{ folder: 'idphotos', concurrency: 1, settleSeconds: 0, leaseSeconds: 30, decide }],
        pollMs: 20,
        retryLaterMs: 1,
      });
      try {
        for (const deadline = Date.now() + 30_000; ; ) {
          const row = await db.kysely.selectFrom('intake_events').selectAll().where('id', '=', event).executeTakeFirstOrThrow();
          if (row.outcome !== 'received') return row;
          if (Date.now() > deadline) assert.fail(`event ${event} is still waiting`);
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await worker.stop();
      }
    }

    test('a handler that says "retry later" is worked out again at once, and that is not a failed attempt', async () => {
      await drain();
      const id = await upload('later.jpg');
      let decided = 0;
      const row = await workUntilFinished(id, async (): Promise<Decision> => {
        const n = ++decided;
        return {
          outcome: 'linked',
          message: `decided ${n} times`,
          apply: async () => {
            if (n <= MAX_ATTEMPTS) throw new RetryLater('something changed meanwhile');
          },
        };
      });
      assert.equal(decided, MAX_ATTEMPTS + 1, 'more retries than failed attempts are allowed');
      assert.deepEqual([row.outcome, row.message, row.attempts], ['linked', `decided ${MAX_ATTEMPTS + 1} times`, 1]);
    });

    test('"retry later" for ever still ends: each attempt absorbs a few, then counts as failed', async () => {
      await drain();
      const id = await upload('never.jpg');
      let decided = 0;
      const row = await workUntilFinished(id, async () => {
        decided++;
        throw new RetryLater('always busy');
      });
      assert.equal(row.outcome, 'rejected');
      assert.match(row.message, /could not process "never\.jpg" after 3 tries/);
      assert.equal(row.attempts, MAX_ATTEMPTS);
      assert.equal(decided, MAX_ATTEMPTS * (RETRY_LATER_TIMES + 1));
    });

    test('a folder that may work on nothing at the moment waits, however often it is poked, and stops when asked', async () => {
      await drain();
      await upload('never.jpg');
      let decided = 0;
      const worker = startIntakeWorker({
        db,
        log: pino({ level: 'silent' }),
        pollMs: 10,
        handlers: [{ folder: 'idphotos', concurrency: 0, settleSeconds: 0, leaseSeconds: 30, decide: async () => (decided++, { outcome: 'removed', message: '' }) }],
      });
      // Timers still run: a loop spinning on microtasks would never let this one fire.
      for (let i = 0; i < 5; i++) {
        worker.poke();
        await new Promise((r) => setTimeout(r, 10));
      }
      await worker.stop();
      assert.equal(decided, 0);
      await drain();
    });

    test('while the edge takes uploads, one event at a time; several again once it is quiet', async () => {
      await drain();
      const ids: number[] = [];
      for (let i = 0; i < 12; i++) ids.push(await upload(`busy-${i}.jpg`));
      let busy = true;
      let running = 0;
      let mostWhileBusy = 0;
      let openBusy!: () => void;
      const busyGate = new Promise<void>((r) => (openBusy = r));
      let openQuiet!: () => void;
      const quietGate = new Promise<void>((r) => (openQuiet = r));
      const until = async (check: () => boolean | Promise<boolean>) => {
        while (!(await check())) await new Promise((r) => setTimeout(r, 10));
      };
      const worker = startIntakeWorker({
        db,
        log: pino({ level: 'silent' }),
        pollMs: 10,
        edgeBusy: () => busy,
        handlers: [
          {
            folder: 'idphotos',
            concurrency: 6,
            settleSeconds: 0,
            leaseSeconds: 30,
            async decide(): Promise<Decision> {
              running++;
              if (busy) mostWhileBusy = Math.max(mostWhileBusy, running);
              await (busy ? busyGate : quietGate);
              running--;
              return { outcome: 'removed', message: 'done' };
            },
          },
        ],
      });
      try {
        await until(() => running === 1);
        // New uploads keep poking the intake; it still holds to one at a time.
        for (let i = 0; i < 10; i++) {
          worker.poke();
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal(mostWhileBusy, 1, 'one event at a time while uploads arrive');
        busy = false;
        openBusy();
        await until(() => running >= 4);
        openQuiet();
        await until(async () =>
          Number(
            (
              await db.kysely
                .selectFrom('intake_events')
                .select((eb) => eb.fn.countAll().as('n'))
                .where('id', 'in', ids)
                .where('outcome', '=', 'received')
                .executeTakeFirstOrThrow()
            ).n,
          ) === 0,
        );
      } finally {
        openBusy();
        openQuiet();
        await worker.stop();
      }
    });
  });
}
