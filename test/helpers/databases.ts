import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** The machine's PostgreSQL (CI starts it; trust auth). Overridable for other set-ups. */
export const PG_ADMIN_URL = process.env.LANYARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_DB_PREFIX = 'lanyard_t_';

/**
 * A database no other test sees: a new PostgreSQL database (dropped by
 * dropDatabase), or undefined for SQLite, which then lives in the test's own
 * data folder.
 */
export async function createDatabase(dialect: Dialect): Promise<string | undefined> {
  if (dialect === 'sqlite') return undefined;
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(url: string | undefined): Promise<void> {
  if (!url) return;
  const name = new URL(url).pathname.slice(1);
  if (!name.startsWith(TEST_DB_PREFIX)) throw new Error(`refusing to drop ${name}`);
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
