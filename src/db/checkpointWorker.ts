import SQLite from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The thread behind checkpointer.ts: its own connection to the database
 * file, copying the WAL into it now and then (PASSIVE: it never waits for,
 * nor holds up, the server's writes).
 */
const { file, everyMs } = workerData as { file: string; everyMs: number };
const db = new SQLite(file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy (a CLI command checkpointing too): the next round does it.
  }
}, everyMs);
parentPort?.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
