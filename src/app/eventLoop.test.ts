import assert from 'node:assert/strict';
import { test } from 'node:test';
import { watchEventLoop } from './eventLoop.js';

const busyFor = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test('a loop held up is read as a delay; reset forgets it (the server resets once it listens)', async () => {
  const watch = watchEventLoop();
  try {
    await new Promise((r) => setTimeout(r, 30));
    busyFor(300);
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(watch.read().maxMs >= 250, `max ${watch.read().maxMs} ms`);
    watch.reset();
    assert.deepEqual(watch.read(), { p50Ms: 0, p99Ms: 0, maxMs: 0 });
  } finally {
    watch.stop();
  }
});
