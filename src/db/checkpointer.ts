import { Worker } from 'node:worker_threads';

/**
 * SQLite copies its WAL back into the database file (a checkpoint) inside
 * whichever commit finds the WAL over 1,000 pages: a write of up to 4 MB and
 * an fsync, inside better-sqlite3's synchronous call, so every SFTP session
 * and page of every district waited (the photo bench's 430 ms event-loop
 * stalls). The server turns that off and checkpoints from a thread with a
 * connection of its own, every `everyMs`. Should the thread fail, `onFailure`
 * hands checkpoints back to the commits (`wal_autocheckpoint`), slower but
 * never a WAL that grows without end.
 */
export function startCheckpointer(file: string, onFailure: (err: unknown) => void, everyMs = 1000): { stop(): Promise<void> } {
  const worker = new Worker(new URL('./checkpointWorker.js', import.meta.url), { workerData: { file, everyMs } });
  worker.unref();
  let stopping = false;
  let failure: unknown;
  worker.on('error', (err) => (failure = err));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      if (!stopping) onFailure(failure ?? new Error(`the checkpoint thread stopped (exit code ${code})`));
      resolve();
    }),
  );
  return {
    async stop() {
      stopping = true;
      // Held while it closes its connection, or a process waiting only for that would end under it.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
