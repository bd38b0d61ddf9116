import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect, type SqliteDatabase } from 'kysely';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import type { Database } from './schema.js';
import { startCheckpointer } from './checkpointer.js';
import { sqliteWalFlusher } from './flush.js';
import { migrateToLatest } from './migrate.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where the database is, for messages (no password). */
  readonly description: string;
  /**
   * A transaction for work that can be done again from what is already
   * durable: an intake claim, or an outcome derived from an upload whose event
   * and bytes were synced before the client heard OK. Its commit is atomic but
   * not flushed to disk on its own, so a power cut may undo the last few such
   * commits (never part of one), and the queue then simply does that work
   * again. The next durable commit flushes them with it.
   *
   * Why: with SQLite every flushed commit is an fsync on the event loop
   * (better-sqlite3 is synchronous), ~3 ms here, and the photo intake made
   * two per photo; that stalled every upload in the process.
   */
  redoableTransaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * A transaction on disk before the promise resolves, as every commit is,
   * whose flush does not hold the event loop: for what answers a client that
   * then moves on (an upload's CLOSE). On SQLite the commit is written
   * unflushed and the WAL file is then flushed through the thread pool, one
   * flush for every commit waiting at that moment (sqliteWalFlusher), where a
   * flushed commit is an fsync inside better-sqlite3's synchronous call: every
   * SFTP session and page of every district waited behind each photo's CLOSE
   * (2.3 ms a photo, most of a 500-photo upload's event loop time).
   * PostgreSQL commits off the loop anyway.
   */
  durableTransaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Runs `fn` in one durable transaction, handing it a Db whose every query goes
 * through that transaction, so domain functions written against a Db, and the
 * audit entry of the change they make, commit together or not at all. Inside,
 * use only the Db given (on SQLite the outer one waits for this transaction).
 */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.kysely.transaction().execute((kysely) =>
    fn({
      kysely,
      dialect: db.dialect,
      description: db.description,
      redoableTransaction: () => Promise.reject(new Error('Already in a transaction: use the Db it was given.')),
      durableTransaction: () => Promise.reject(new Error('Already in a transaction: use the Db it was given.')),
      close: () => Promise.reject(new Error('A transaction cannot close the database.')),
    }),
  );
}

// PostgreSQL returns bigint columns as strings; our ids and sizes fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface OpenDbOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  /** Apply pending migrations (the server and every CLI command do). */
  migrate?: boolean;
  /**
   * SQLite: checkpoint the WAL from a thread of its own rather than inside
   * commits (db/checkpointer.ts), as the server does; told when that thread
   * fails and checkpoints go back into commits.
   */
  checkpointOffLoop?: { onFailure(err: unknown): void };
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const db = opts.databaseUrl?.startsWith('postgres') ? openPostgres(opts.databaseUrl) : openSqlite(sqlitePath(opts), opts.checkpointOffLoop);
  if (opts.migrate !== false) {
    try {
      await migrateToLatest(db);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

function sqlitePath(opts: OpenDbOptions): string {
  if (opts.databaseUrl?.startsWith('sqlite:')) return path.resolve(opts.databaseUrl.slice('sqlite:'.length));
  return path.join(opts.dataDir, 'lanyard.sqlite');
}

function openSqlite(file: string, checkpointOffLoop: OpenDbOptions['checkpointOffLoop']): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: an intake event must survive a power cut once the client has heard OK.
  sqlite.pragma('synchronous = FULL');
  // The CLI works while a server runs on the same file.
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  // One connection, held for the whole call, so no durable commit can slip in while the setting is relaxed
  // (SQLite refuses to change it inside a transaction).
  const unflushed = <T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
    kysely.connection().execute(async (conn) => {
      await sql`PRAGMA synchronous = NORMAL`.execute(conn);
      try {
        return await conn.transaction().execute(fn);
      } finally {
        await sql`PRAGMA synchronous = FULL`.execute(conn);
      }
    });
  const flushWal = sqliteWalFlusher(`${file}-wal`);
  let checkpointer: { stop(): Promise<void> } | undefined;
  if (checkpointOffLoop) {
    sqlite.pragma('wal_autocheckpoint = 0');
    checkpointer = startCheckpointer(file, (err) => {
      if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
      checkpointOffLoop.onFailure(err);
    });
  }
  return {
    kysely,
    dialect: 'sqlite',
    description: file,
    redoableTransaction: unflushed,
    durableTransaction: async (fn) => {
      const result = await unflushed(fn);
      await flushWal.flush();
      return result;
    },
    close: async () => {
      await checkpointer?.stop();
      await flushWal.close();
      await kysely.destroy();
    },
  };
}

/**
 * better-sqlite3 compiles every statement it is given, and Kysely hands it
 * each query afresh: measured in the photo intake, compiling took as long as
 * running. The same few dozen queries repeat, so compiled statements are kept
 * by their text (safe: Kysely only runs a statement to completion, never two
 * interleaved), the least recently used dropped past a bound, since `IN (...)`
 * lists of every length make distinct texts.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new LRUCache<string, SQLite.Statement>({ max });
  return {
    close: () => sqlite.close(),
    prepare(text) {
      let stmt = cache.get(text);
      if (!stmt) {
        stmt = sqlite.prepare(text);
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection must not crash the server.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const u = new URL(url);
  return {
    kysely,
    dialect: 'postgres',
    description: `${u.hostname}:${u.port || 5432}${u.pathname}`,
    redoableTransaction: (fn) =>
      kysely.transaction().execute(async (trx) => {
        await sql`SET LOCAL synchronous_commit = off`.execute(trx);
        return fn(trx);
      }),
    durableTransaction: (fn) => kysely.transaction().execute(fn),
    close: () => kysely.destroy(),
  };
}
