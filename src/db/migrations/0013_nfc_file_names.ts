import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

interface Named {
  district_id: number;
  name: string;
  /** When it last changed: on a clash, the later one keeps the name. */
  at: string;
}

/**
 * File names in the drop box are Unicode NFC from now on (dropbox/paths.ts),
 * so that "é" typed as one character or as "e" plus an accent is one file.
 * Names stored before are brought to NFC too, or no client could reach them.
 * Two stored names that differ only so are one name now: the file changed
 * last keeps it and the other row goes (its bytes stay in the blob store;
 * nothing about people changes, so no intake event is made).
 *
 * Only names with a character outside printable ASCII can change, which a
 * pattern finds in each database.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const nonAscii = (column: string) => (dialect === 'postgres' ? sql`${sql.ref(column)} ~ '[^ -~]'` : sql`${sql.ref(column)} GLOB '*[^ -~]*'`);

  const files = await sql<Named & { folder: string }>`
    SELECT district_id, folder, name, modified_at AS at FROM dropbox_files WHERE ${nonAscii('name')}`.execute(db);
  for (const f of files.rows) {
    const nfc = f.name.normalize('NFC');
    if (nfc === f.name) continue;
    const same = sql`district_id = ${f.district_id} AND folder = ${f.folder}`;
    const clash = await sql<Named>`SELECT district_id, name, modified_at AS at FROM dropbox_files WHERE ${same} AND name = ${nfc}`.execute(db);
    const other = clash.rows[0];
    if (other && other.at >= f.at) {
      await sql`DELETE FROM dropbox_files WHERE ${same} AND name = ${f.name}`.execute(db);
      continue;
    }
    if (other) await sql`DELETE FROM dropbox_files WHERE ${same} AND name = ${nfc}`.execute(db);
    await sql`UPDATE dropbox_files SET name = ${nfc} WHERE ${same} AND name = ${f.name}`.execute(db);
  }

  const waiting = await sql<Named>`SELECT district_id, file AS name, created_at AS at FROM waiting_photos WHERE ${nonAscii('file')}`.execute(db);
  for (const w of waiting.rows) {
    const nfc = w.name.normalize('NFC');
    if (nfc === w.name) continue;
    const same = sql`district_id = ${w.district_id}`;
    const clash = await sql<Named>`SELECT district_id, file AS name, created_at AS at FROM waiting_photos WHERE ${same} AND file = ${nfc}`.execute(db);
    const other = clash.rows[0];
    if (other && other.at >= w.at) {
      await sql`DELETE FROM waiting_photos WHERE ${same} AND file = ${w.name}`.execute(db);
      continue;
    }
    if (other) await sql`DELETE FROM waiting_photos WHERE ${same} AND file = ${nfc}`.execute(db);
    await sql`UPDATE waiting_photos SET file = ${nfc} WHERE ${same} AND file = ${w.name}`.execute(db);
  }
}
