import fs from 'node:fs';

/**
 * Flushes a WAL file to disk through the thread pool. In WAL mode an
 * unflushed commit (synchronous = NORMAL) has written its frames to the WAL
 * file, so a flush of that file after it gives the commit the guarantee of a
 * flushed one (synchronous = FULL flushes exactly that file, at commit); a
 * checkpoint in between flushes the WAL before copying it and the database
 * after, so a commit it took along is on disk either way.
 */
export function sqliteWalFlusher(walFile: string): () => Promise<void> {
  return groupedFlush(async () => {
    const handle = await fs.promises.open(walFile, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/**
 * `flush` for many callers, a group commit: flushes never overlap, and a
 * caller that arrives while one runs (it may have started before that
 * caller's write) waits for the next one, which serves everyone who arrived
 * meanwhile. A failed flush fails its own callers only.
 */
export function groupedFlush(flush: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const run = flush().finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}
