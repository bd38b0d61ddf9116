import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { groupedFlush, sqliteWalFlusher } from './flush.js';

/** A flush that waits until released, counting how many began. */
function heldFlush() {
  const releases: Array<(err?: Error) => void> = [];
  return {
    began: () => releases.length,
    release: (i: number, err?: Error) => releases[i]!(err),
    flush: () => new Promise<void>((resolve, reject) => releases.push((err) => (err ? reject(err) : resolve()))),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

test('a flush asked for while idle starts at once; those asked for during it share the next one', async () => {
  const h = heldFlush();
  const flush = groupedFlush(h.flush);
  const first = flush();
  assert.equal(h.began(), 1);
  const second = flush();
  const third = flush();
  await tick();
  assert.equal(h.began(), 1, 'never two at once');
  let secondDone = false;
  void second.then(() => (secondDone = true));
  h.release(0);
  await first;
  await tick();
  assert.equal(secondDone, false, 'the flush running when it arrived may not cover its write');
  assert.equal(h.began(), 2, 'one more flush for both waiting');
  h.release(1);
  await Promise.all([second, third]);
  assert.equal(h.began(), 2);
  const fourth = flush();
  assert.equal(h.began(), 3, 'idle again: the next caller starts its own at once');
  h.release(2);
  await fourth;
});

test('a failed flush fails its own callers, and the next flush still runs for those who came later', async () => {
  const h = heldFlush();
  const flush = groupedFlush(h.flush);
  const first = flush();
  const later = flush();
  h.release(0, new Error('disk gone'));
  await assert.rejects(first, /disk gone/);
  await tick();
  h.release(1);
  await later;
  assert.equal(h.began(), 2);
});

test('a WAL file is flushed through the thread pool, and a missing one is an error, not a silent success', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-flush-'));
  try {
    const wal = path.join(dir, 'lanyard.sqlite-wal');
    fs.writeFileSync(wal, 'frames');
    const flusher = sqliteWalFlusher(wal);
    await flusher.flush();
    await flusher.flush();
    await flusher.close();
    const missing = sqliteWalFlusher(path.join(dir, 'missing-wal'));
    await assert.rejects(missing.flush(), /ENOENT/);
    // Not stuck on the failure: once the file is there, the next flush opens it.
    fs.writeFileSync(path.join(dir, 'missing-wal'), 'frames');
    await missing.flush();
    await missing.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
