import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { takeLease } from '../../src/retention/schedule.js';
import { DIALECTS } from '../helpers/databases.js';
import { openLab, type Lab } from './lab.js';

/** Several nodes run the schedule; the lease row lets exactly one of them run each interval. */
for (const dialect of DIALECTS) {
  describe(`the retention lease (${dialect})`, () => {
    let lab: Lab;
    before(async () => {
      lab = await openLab(dialect, 'file');
    });
    after(() => lab?.dispose());

    test('two nodes asking at once get one yes; the other gets its turn once the interval has passed', async () => {
      const now = new Date('2026-09-01T02:00:00Z');
      const hourLater = new Date(now.getTime() + 3600_000);
      const answers = await Promise.all([takeLease(lab.db, 'node-a', now, hourLater), takeLease(lab.db, 'node-b', now, hourLater)]);
      assert.deepEqual(answers.filter(Boolean).length, 1, JSON.stringify(answers));
      const loser = answers[0] ? 'node-b' : 'node-a';
      assert.equal(await takeLease(lab.db, loser, new Date(now.getTime() + 1800_000), hourLater), false, 'not before the interval is over');
      assert.equal(await takeLease(lab.db, loser, hourLater, new Date(hourLater.getTime() + 3600_000)), true);
    });
  });
}
