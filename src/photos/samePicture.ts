import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import { dHashBands, QUALITY_THRESHOLDS, samePicture } from './quality.js';

/** A picture's fingerprint as stored with its version (quality.ts). */
export interface Fingerprint {
  dhash: string;
  colour: number;
}

/** At most this many candidates are compared: enough for a district whose photographer uses one backdrop and pose. */
const CANDIDATES = 500;

/**
 * Another person of the district whose current photo is the same picture, if
 * any: usually a file named with the wrong Local ID. Looked up by the hash's
 * indexed quarters (any close hash shares one exactly), then compared whole.
 */
export async function personWithSamePicture(db: Db, districtId: number, f: Fingerprint, exceptPersonId: number | undefined): Promise<{ localId: string } | undefined> {
  // Each quarter looked up in its own index, the ids then joined: written as one OR, SQLite read every current
  // photo of every district (person_photos whole) to find the district's few hundred.
  const band = (i: 0 | 1 | 2 | 3, value: number) =>
    db.kysely.selectFrom('photo_versions').select('id').where('district_id', '=', districtId).where(`dhash_${i}`, '=', value);
  const bands = dHashBands(f.dhash);
  const candidates = band(0, bands[0]).union(band(1, bands[1])).union(band(2, bands[2])).union(band(3, bands[3]));
  let q = db.kysely
    .selectFrom(candidates.as('m'))
    .innerJoin('photo_versions as v', 'v.id', 'm.id')
    .innerJoin('person_photos as c', (j) => j.onRef('c.person_id', '=', 'v.person_id').onRef('c.version_id', '=', 'v.id'))
    .innerJoin('people as p', 'p.id', 'c.person_id')
    .select(['v.dhash', 'v.colour', 'p.local_id'])
    // Colours that close are that close in each channel: only those are read and compared. School portraits share a
    // backdrop and a pose, so a quarter of the hash alone matched hundreds of a district's photos, and the first 500
    // of them need not have held the one that matches.
    .where(({ and }) => and([0, 8, 16].map((shift) => sql<boolean>`((${sql.ref('v.colour')} >> ${sql.lit(shift)}) & 255) between ${channel(f.colour, shift) - near} and ${channel(f.colour, shift) + near}`)));
  if (exceptPersonId !== undefined) q = q.where('v.person_id', '!=', exceptPersonId);
  const rows = await q.limit(CANDIDATES).execute();
  const hit = rows.find((r) => r.dhash !== null && r.colour !== null && samePicture(f, { dhash: r.dhash, colour: r.colour }));
  return hit && { localId: hit.local_id };
}

const near = QUALITY_THRESHOLDS.sameColourDistance;
const channel = (colour: number, shift: number): number => (colour >> shift) & 0xff;

/** The columns a version stores for its fingerprint. */
export function fingerprintColumns(f: Fingerprint | null) {
  if (!f) return { dhash: null, colour: null, dhash_0: null, dhash_1: null, dhash_2: null, dhash_3: null };
  const [b0, b1, b2, b3] = dHashBands(f.dhash);
  return { dhash: f.dhash, colour: f.colour, dhash_0: b0, dhash_1: b1, dhash_2: b2, dhash_3: b3 };
}
