import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PendingBytes } from './pendingBytes.js';

const b = (s: string) => Buffer.from(s);

describe('the out-of-order hold of the S3 writer', () => {
  test('in-order pieces are contiguous and come out as one buffer', () => {
    const p = new PendingBytes();
    p.add(0, b('abc'));
    p.add(3, b('def'));
    assert.equal(p.firstGap(), 6);
    assert.deepEqual(p.take(4), b('abcd'));
    assert.equal(p.firstGap(), 6);
    assert.equal(p.heldBytes, 2);
    assert.deepEqual(p.take(6), b('ef'));
    assert.equal(p.heldBytes, 0);
  });

  test('a piece ahead waits for the gap before it, and the gap closes when it arrives', () => {
    const p = new PendingBytes();
    p.add(6, b('ghi'));
    assert.equal(p.firstGap(), 0);
    p.add(0, b('abc'));
    assert.equal(p.firstGap(), 3);
    p.add(3, b('def'));
    assert.equal(p.firstGap(), 9);
    assert.deepEqual(p.take(9), b('abcdefghi'));
  });

  test('a later write wins where pieces overlap, and holes come out as zeros', () => {
    const p = new PendingBytes();
    p.add(2, b('xxxx'));
    p.add(4, b('YY'));
    p.add(3, b('z'));
    assert.deepEqual(p.take(8), Buffer.from([0, 0, 0x78, 0x7a, 0x59, 0x59, 0, 0]));
  });

  test('the same bytes written again and again are kept once', () => {
    const p = new PendingBytes();
    const piece = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 100; i++) p.add(0, i === 99 ? Buffer.alloc(64 * 1024, 2) : piece);
    assert.ok(p.heldBytes <= 2 * 64 * 1024 + 1024 * 1024, `${p.heldBytes} held`);
    assert.deepEqual(p.take(64 * 1024), Buffer.alloc(64 * 1024, 2));
  });

  test('bytes below what was taken are refused', () => {
    const p = new PendingBytes();
    p.add(0, b('abc'));
    p.take(3);
    assert.throws(() => p.add(2, b('x')), RangeError);
  });
});
