import { sql, type Kysely } from 'kysely';
import { assetTagKey } from '../../assetTag/assetTag.js';

interface TagRow {
  id: number;
  district_id: number;
  asset_tag: string;
}

/**
 * Asset tags are compared ignoring letter case (a scanner or a person types
 * `lt-1009` for `LT-1009`), so each device gets its tag's case-folded key
 * under a unique index: a second `lt-1001` beside `LT-1001` is refused.
 * Districts may already hold such pairs from before; refusing to migrate
 * would stop their server, and dropping one would lose its history. So the
 * oldest of each pair keeps the key (the desk finds it), the others keep a
 * null key (a unique index allows any number), and their device page says
 * why and what to do. The key is computed here in JavaScript, exactly as
 * assetTag/assetTag.ts writes it for new devices: SQLite's lower() folds
 * only ASCII letters.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').addColumn('asset_tag_key', 'text').execute();
  const rows = (await sql<TagRow>`select id, district_id, asset_tag from devices order by district_id, id`.execute(db)).rows;
  const taken = new Set<string>();
  for (const r of rows) {
    const key = assetTagKey(r.asset_tag);
    const scoped = `${String(r.district_id)}\u0000${key}`;
    if (taken.has(scoped)) continue;
    taken.add(scoped);
    await sql`update devices set asset_tag_key = ${key} where id = ${r.id}`.execute(db);
  }
  await db.schema.createIndex('devices_asset_tag_key_unique').on('devices').columns(['district_id', 'asset_tag_key']).unique().execute();
}
