import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where the database is, for messages (no password). */
  readonly description: string;
  close(): Promise<void>;
}

// PostgreSQL returns bigint columns as strings; our ids and sizes fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface OpenDbOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  /** Apply pending migrations (the server and every CLI command do). */
  migrate?: boolean;
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const db = opts.databaseUrl?.startsWith('postgres') ? openPostgres(opts.databaseUrl) : openSqlite(sqlitePath(opts));
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

function openSqlite(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: an intake event must survive a power cut once the client has heard OK.
  sqlite.pragma('synchronous = FULL');
  // The CLI works while a server runs on the same file.
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kysely, dialect: 'sqlite', description: file, close: () => kysely.destroy() };
}

function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection must not crash the server.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const u = new URL(url);
  return { kysely, dialect: 'postgres', description: `${u.hostname}:${u.port || 5432}${u.pathname}`, close: () => kysely.destroy() };
}
