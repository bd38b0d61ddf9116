import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LiveSessions } from './liveSessions.js';

describe('live sessions by district', () => {
  test('a credential change ends the district\'s sessions that logged in under an older version, and only those', () => {
    const live = new LiveSessions();
    const ended: string[] = [];
    live.add({ districtId: 1, version: 3, end: () => ended.push('a') });
    live.add({ districtId: 1, version: 4, end: () => ended.push('b') });
    live.add({ districtId: 2, version: 0, end: () => ended.push('other district') });
    live.credentialsChanged(1, 4);
    assert.deepEqual(ended, ['a']);
    live.credentialsChanged(1, 4);
    assert.deepEqual(ended, ['a'], 'each session is ended once');
    assert.deepEqual(live.districtIds().sort(), [1, 2]);
  });

  test('a login that read the old credentials just before a change is ended as it arrives', () => {
    const live = new LiveSessions();
    live.credentialsChanged(7, 2);
    let ended = false;
    const forget = live.add({ districtId: 7, version: 1, end: () => (ended = true) });
    assert.equal(ended, true);
    forget();
    assert.deepEqual(live.districtIds(), []);
  });

  test('a session that ends by itself is forgotten', () => {
    const live = new LiveSessions();
    const forget = live.add({ districtId: 3, version: 0, end: () => assert.fail('already gone') });
    forget();
    live.credentialsChanged(3, 1);
    assert.deepEqual(live.districtIds(), []);
  });
});
