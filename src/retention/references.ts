import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Every column that points at stored bytes. A key none of them holds is
 * unreferenced: nothing can show, serve or process those bytes any more. A
 * new column that holds a blob key belongs here (and an index on it, as
 * migration 0070 made), or the sweep deletes its bytes.
 */
export const BLOB_REFERENCES = [
  ['dropbox_files', 'blob_key'],
  ['intake_events', 'blob_key'],
  ['photo_versions', 'original_key'],
  ['photo_versions', 'profile_key'],
  ['photo_versions', 'thumb_key'],
  ['waiting_photos', 'original_key'],
  ['waiting_photos', 'profile_key'],
  ['waiting_photos', 'thumb_key'],
] as const;

/** Which of `keys` some row still refers to (each column's own index, so a few lookups per key). */
export async function referencedKeys(db: Kysely<Database>, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (keys.length === 0) return found;
  for (const [table, column] of BLOB_REFERENCES) {
    const rest = keys.filter((k) => !found.has(k));
    if (rest.length === 0) break;
    const { rows } = await sql<{ key: string }>`select distinct ${sql.ref(column)} as key from ${sql.table(table)} where ${sql.ref(column)} in (${sql.join(rest)})`.execute(db);
    for (const r of rows) found.add(r.key);
  }
  return found;
}
