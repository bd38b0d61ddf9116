import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb, type Db } from '../../src/db/db.js';
import { ABANDONED_AFTER_MS, endAbandonedDeliveries, keepDeliveriesAlive } from '../../src/deliveries/liveness.js';
import { getDelivery } from '../../src/deliveries/deliveries.js';
import { deliveryTicket, openDeliveriesHere } from '../../src/deliveries/ticket.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

/**
 * A node killed outright never ends its sessions' deliveries. Here the
 * "killed" session is a ticket that is never ended, and time is moved on by
 * giving the sweep a later `now`: the delivery nobody vouched for ends, dated
 * when it was last known open; one its node still holds stays open.
 */
for (const dialect of DIALECTS) {
  describe(`deliveries of a node that died are ended by another (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;
    let districtId: number;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'delivery-liveness-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      const d = await db.kysely
        .insertInto('districts')
        .values({ slug: 'springfield', name: 'Springfield', sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      districtId = d.id;
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    const opener = () => ({ districtId, source: 'sftp' as const, by: 'springfield', address: '127.0.0.1' });
    const row = (id: number) => db.kysely.selectFrom('deliveries').select(['ended_at', 'alive_at', 'started_at']).where('id', '=', id).executeTakeFirstOrThrow();

    test('a ticket is held by this process from its first event until it ends', async () => {
      const ticket = deliveryTicket(db, opener());
      const id = await ticket.id();
      assert.ok(openDeliveriesHere().includes(id));
      assert.ok((await row(id)).alive_at, 'alive from the start');
      await ticket.end();
      assert.ok(!openDeliveriesHere().includes(id));
      assert.ok((await row(id)).ended_at);
    });

    test('the abandoned one is ended as of when it was last known open; the one kept alive and the ended one are left', async () => {
      const dead = await deliveryTicket(db, opener()).id(); // its node dies: never ended, never kept alive again
      const live = deliveryTicket(db, opener());
      const liveId = await live.id();
      const done = deliveryTicket(db, opener());
      const doneId = await done.id();
      await done.end();
      const doneEnded = (await row(doneId)).ended_at;
      const lastSeen = (await row(dead)).alive_at;

      const later = new Date(Date.now() + ABANDONED_AFTER_MS + 60_000);
      await keepDeliveriesAlive(db, [liveId], new Date(later.getTime() - 60_000));
      assert.equal(await endAbandonedDeliveries(db, later), 1);

      assert.equal((await row(dead)).ended_at, lastSeen, 'ended when it was last known open');
      assert.equal((await row(liveId)).ended_at, null, 'its node still holds it');
      assert.equal((await row(doneId)).ended_at, doneEnded);
      const report = await getDelivery(db, districtId, dead);
      assert.equal(report.endedAt, lastSeen);
      assert.ok(report.finishedAt, 'nothing pending: its report is finished, so it is e-mailed and pushed');

      // Nothing new the second time; the live one ends as usual.
      assert.equal(await endAbandonedDeliveries(db, later), 0);
      await live.end();
      assert.ok((await row(liveId)).ended_at);
    });

    test('a delivery from before the heartbeat (no alive_at) counts from when it started', async () => {
      const id = await deliveryTicket(db, opener()).id();
      await db.kysely.updateTable('deliveries').set({ alive_at: null }).where('id', '=', id).execute();
      const started = (await row(id)).started_at;
      assert.equal(await endAbandonedDeliveries(db, new Date(Date.parse(started) + ABANDONED_AFTER_MS - 1000)), 0, 'not yet');
      assert.ok((await endAbandonedDeliveries(db, new Date(Date.parse(started) + ABANDONED_AFTER_MS + 1000))) >= 1);
      assert.equal((await row(id)).ended_at, started);
    });
  });
}
