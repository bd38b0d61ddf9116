import fs from 'node:fs';

/**
 * Flushes a WAL file to disk through the thread pool. In WAL mode an
 * unflushed commit (synchronous = NORMAL) has written its frames to the WAL
 * file, so a flush of that file after it gives the commit the guarantee of a
 * flushed one (synchronous = FULL flushes exactly that file, at commit); a
 * checkpoint in between flushes the WAL before copying it and the database
 * after, so a commit it took along is on disk either way.
 *
 * fdatasync, as SQLite itself uses on Linux: once a checkpoint has let SQLite
 * start the WAL over, commits overwrite it in place and its size does not
 * change, so there is no inode to write, only the frames. And one descriptor
 * for every flush, opened at the first: SQLite removes the WAL file only when
 * the last connection to the database closes, and the server's own connection
 * is open for as long as this is used (it is closed with it). Opening and
 * closing it each time were two more trips through the thread pool per CLOSE.
 */
export function sqliteWalFlusher(walFile: string): { flush: () => Promise<void>; close: () => Promise<void> } {
  let handle: Promise<fs.promises.FileHandle> | undefined;
  const flush = groupedFlush(async () => {
    handle ??= fs.promises.open(walFile, 'r');
    try {
      await (await handle).datasync();
    } catch (err) {
      // Opened afresh next time: a failed open or flush must not stick to every later commit.
      const failed = handle;
      handle = undefined;
      await failed.then((h) => h.close()).catch(() => undefined);
      throw err;
    }
  });
  return {
    flush,
    close: async () => {
      const h = handle;
      handle = undefined;
      await h?.then((fh) => fh.close()).catch(() => undefined);
    },
  };
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
