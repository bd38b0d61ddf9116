import type { Db } from '../db/db.js';
import { dHashBands, samePicture } from './quality.js';

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
  const [b0, b1, b2, b3] = dHashBands(f.dhash);
  let q = db.kysely
    .selectFrom('photo_versions as v')
    .innerJoin('person_photos as c', 'c.version_id', 'v.id')
    .innerJoin('people as p', 'p.id', 'c.person_id')
    .select(['v.dhash', 'v.colour', 'p.local_id'])
    .where('v.district_id', '=', districtId)
    .where((eb) => eb.or([eb('v.dhash_0', '=', b0), eb('v.dhash_1', '=', b1), eb('v.dhash_2', '=', b2), eb('v.dhash_3', '=', b3)]));
  if (exceptPersonId !== undefined) q = q.where('v.person_id', '!=', exceptPersonId);
  const rows = await q.limit(CANDIDATES).execute();
  const hit = rows.find((r) => r.dhash !== null && r.colour !== null && samePicture(f, { dhash: r.dhash, colour: r.colour }));
  return hit && { localId: hit.local_id };
}

/** The columns a version stores for its fingerprint. */
export function fingerprintColumns(f: Fingerprint | null) {
  if (!f) return { dhash: null, colour: null, dhash_0: null, dhash_1: null, dhash_2: null, dhash_3: null };
  const [b0, b1, b2, b3] = dHashBands(f.dhash);
  return { dhash: f.dhash, colour: f.colour, dhash_0: b0, dhash_1: b1, dhash_2: b2, dhash_3: b3 };
}
