import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { cutoff, type RetentionPolicy, type Rule } from './policy.js';

/**
 * Each rule of a retention policy as one district's database change: rows
 * whose time has passed stop pointing at stored bytes (or go, where the row
 * is the photo itself), and the keys they held are handed back for the
 * guarded delete. Run in a transaction of their own, one rule at a time.
 */

/** What a rule released: how many rows, and the keys they held with the size where a row knew it. */
export interface Released {
  items: number;
  keys: Map<string, number | undefined>;
}

type Trx = Kysely<Database>;

const released = (): Released => ({ items: 0, keys: new Map() });
function hold(r: Released, key: string | null, size?: number) {
  if (key) r.keys.set(key, size ?? r.keys.get(key));
}

/** A version is shown when a person points at it; those are never a rule's. */
const notShown = sql<boolean>`not exists (select 1 from person_photos pp where pp.version_id = photo_versions.id)`;

async function dropVersions(trx: Trx, rows: Array<{ id: number; original_key: string; original_size: number; profile_key: string; thumb_key: string }>, r: Released) {
  for (const v of rows) {
    hold(r, v.original_key, v.original_size);
    hold(r, v.profile_key);
    hold(r, v.thumb_key);
  }
  const ids = rows.map((v) => v.id);
  for (let i = 0; i < ids.length; i += 500) {
    await trx.deleteFrom('person_photos').where('version_id', 'in', ids.slice(i, i + 500)).execute();
    await trx.deleteFrom('photo_versions').where('id', 'in', ids.slice(i, i + 500)).execute();
  }
  r.items += rows.length;
}

const VERSION_COLUMNS = ['id', 'original_key', 'original_size', 'profile_key', 'thumb_key'] as const;

const rules: Record<Rule, (trx: Trx, districtId: number, before: string) => Promise<Released>> = {
  /** Earlier versions, not shown, delivered before the cut-off: the row and all three files go. */
  async superseded(trx, districtId, before) {
    const r = released();
    const rows = await trx.selectFrom('photo_versions').select(VERSION_COLUMNS).where('district_id', '=', districtId).where('created_at', '<', before).where(notShown).execute();
    await dropVersions(trx, rows, r);
    return r;
  },

  /** The uploaded original behind a version (EXIF, GPS and all): the served sizes stay, the version forgets the original. */
  async originals(trx, districtId, before) {
    const r = released();
    const rows = await trx
      .selectFrom('photo_versions')
      .select(['id', 'original_key', 'original_size'])
      .where('district_id', '=', districtId)
      .where('created_at', '<', before)
      .where('original_key', '!=', '')
      .execute();
    for (const v of rows) hold(r, v.original_key, v.original_size);
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .updateTable('photo_versions')
        .set({ original_key: '' })
        .where('id', 'in', rows.slice(i, i + 500).map((v) => v.id))
        .execute();
    }
    r.items += rows.length;
    return r;
  },

  /** Photos waiting for a person who never came, and the bytes of refused and unmatched uploads. */
  async unmatched(trx, districtId, before) {
    const r = released();
    const waiting = await trx
      .selectFrom('waiting_photos')
      .select(['id', 'original_key', 'original_size', 'profile_key', 'thumb_key'])
      .where('district_id', '=', districtId)
      .where('created_at', '<', before)
      .execute();
    for (const w of waiting) {
      hold(r, w.original_key, w.original_size);
      hold(r, w.profile_key);
      hold(r, w.thumb_key);
    }
    if (waiting.length > 0) await trx.deleteFrom('waiting_photos').where('id', 'in', waiting.map((w) => w.id)).execute();
    r.items += waiting.length;
    const events = await trx
      .selectFrom('intake_events')
      .select(['id', 'blob_key', 'size'])
      .where('district_id', '=', districtId)
      .where('folder', '=', 'idphotos')
      .where('outcome', 'in', ['unmatched', 'rejected'])
      .where('at', '<', before)
      .where('blob_key', 'is not', null)
      .execute();
    r.items += await forgetEventBytes(trx, events, r);
    return r;
  },

  /** Everyone the roster deactivated (their last change) before the cut-off loses every photo version. */
  async deactivated(trx, districtId, before) {
    const r = released();
    const rows = await trx
      .selectFrom('photo_versions')
      .select(VERSION_COLUMNS)
      .where('district_id', '=', districtId)
      .where('person_id', 'in', (eb) =>
        eb.selectFrom('people').select('id').where('district_id', '=', districtId).where('active', '=', 0).where('updated_at', '<', before),
      )
      .execute();
    await dropVersions(trx, rows, r);
    return r;
  },

  /**
   * Photo files in idphotos uploaded before the cut-off leave the drop box
   * (no intake event: the person keeps the photo made from it), and every
   * finished intake event that old forgets its bytes. Roster files in data/
   * stay: the daily import reads them.
   */
  async uploads(trx, districtId, before) {
    const r = released();
    // The upload's own event says when it came; a client's time on the file (FileZilla keeps the camera's) does not.
    const files = await trx
      .selectFrom('dropbox_files as f')
      .select(['f.name', 'f.blob_key', 'f.size'])
      .where('f.district_id', '=', districtId)
      .where('f.folder', '=', 'idphotos')
      .where('f.modified_at', '<', before)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('intake_events as e').select('e.id').whereRef('e.district_id', '=', 'f.district_id').whereRef('e.blob_key', '=', 'f.blob_key').where('e.at', '>=', before))),
      )
      .execute();
    for (const f of files) hold(r, f.blob_key, f.size);
    for (let i = 0; i < files.length; i += 500) {
      await trx
        .deleteFrom('dropbox_files')
        .where('district_id', '=', districtId)
        .where('folder', '=', 'idphotos')
        .where('name', 'in', files.slice(i, i + 500).map((f) => f.name))
        .execute();
    }
    r.items += files.length;
    const events = await trx
      .selectFrom('intake_events')
      .select(['id', 'blob_key', 'size'])
      .where('district_id', '=', districtId)
      .where('at', '<', before)
      .where('outcome', '!=', 'received')
      .where('blob_key', 'is not', null)
      .execute();
    r.items += await forgetEventBytes(trx, events, r);
    return r;
  },
};

async function forgetEventBytes(trx: Trx, events: Array<{ id: number; blob_key: string | null; size: number | null }>, r: Released): Promise<number> {
  for (const e of events) hold(r, e.blob_key, e.size ?? undefined);
  for (let i = 0; i < events.length; i += 500) {
    await trx
      .updateTable('intake_events')
      .set({ blob_key: null })
      .where('id', 'in', events.slice(i, i + 500).map((e) => e.id))
      .execute();
  }
  return events.length;
}

export function applyRule(trx: Trx, rule: Rule, districtId: number, policy: RetentionPolicy, now: Date): Promise<Released> {
  return rules[rule](trx, districtId, cutoff(rule, policy, now));
}
