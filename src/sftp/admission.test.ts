import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Admission } from './admission.js';

describe('connections not logged in yet', () => {
  test('past the limit per address a new one is refused; one letting go makes room', () => {
    const a = new Admission(2, 100);
    const first = a.admit('198.51.100.1', () => assert.fail('never closed for room'));
    assert.ok(first);
    assert.ok(a.admit('198.51.100.1', () => undefined));
    assert.equal(a.admit('198.51.100.1', () => undefined), undefined);
    assert.ok(a.admit('198.51.100.2', () => undefined), 'another address is not affected');
    first();
    first();
    assert.equal(a.waitingCount, 2, 'letting go twice counts once');
    assert.ok(a.admit('198.51.100.1', () => undefined));
  });

  test('past the total, a newcomer from a quiet address closes the oldest of the busiest address; one from a busy address is refused', () => {
    const a = new Admission(3, 6);
    const closed: string[] = [];
    for (const addr of ['x', 'y']) for (let i = 0; i < 3; i++) assert.ok(a.admit(addr, () => closed.push(`${addr}${i}`)));
    assert.equal(a.admit('x', () => undefined), undefined, 'x is at its own limit');
    assert.ok(a.admit('z', () => closed.push('z0')), 'z gets in');
    assert.deepEqual(closed, ['x0'], 'the oldest of a busiest address made room');
    assert.equal(a.waitingCount, 6);
    assert.ok(a.admit('z', () => closed.push('z1')), 'z again: y (3) holds more than z would (2)');
    assert.deepEqual(closed, ['x0', 'y0']);
    // Now x 2, y 2, z 2: nobody holds more than a third z would.
    assert.equal(a.admit('z', () => undefined), undefined);
  });
});
