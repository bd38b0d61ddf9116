import type { Db } from '../db/db.js';

/**
 * What a delivery fixed, for the report after retake day: people who got
 * their first photo, and flagged photos replaced by one the checks found
 * nothing in. Read from the versions the delivery's linked events made (a
 * version records its event), a few batched queries whatever its size.
 */
export interface DeliveryFixes {
  firstPhotos: number;
  replacedFlagged: number;
}

const CHUNK = 500;

export async function whatItFixed(db: Db, districtId: number, deliveryId: number): Promise<DeliveryFixes> {
  const fixes: DeliveryFixes = { firstPhotos: 0, replacedFlagged: 0 };
  const linked = await db.kysely
    .selectFrom('intake_events')
    .select(['id', 'local_id'])
    .where('delivery_id', '=', deliveryId)
    .where('outcome', '=', 'linked')
    .where('local_id', 'is not', null)
    .execute();
  for (let i = 0; i < linked.length; i += CHUNK) {
    const events = linked.slice(i, i + CHUNK);
    const people = await db.kysely
      .selectFrom('people')
      .select(['id', 'local_id'])
      .where('district_id', '=', districtId)
      .where('local_id', 'in', [...new Set(events.map((e) => e.local_id!))])
      .execute();
    if (people.length === 0) continue;
    const versions = await db.kysely
      .selectFrom('photo_versions')
      .select(['id', 'person_id', 'event_id', 'warnings'])
      .where('district_id', '=', districtId)
      .where('person_id', 'in', people.map((p) => p.id))
      .orderBy('person_id')
      .orderBy('id')
      .execute();
    const byPerson = new Map<number, typeof versions>();
    for (const v of versions) byPerson.set(v.person_id, [...(byPerson.get(v.person_id) ?? []), v]);
    const personOf = new Map(people.map((p) => [p.local_id, p.id]));
    for (const e of events) {
      const kept = byPerson.get(personOf.get(e.local_id!) ?? -1) ?? [];
      // Only a version this event made: the same bytes delivered again changed nothing.
      const at = kept.findIndex((v) => v.event_id === e.id);
      if (at < 0) continue;
      if (at === 0) fixes.firstPhotos++;
      else if (kept[at - 1]!.warnings !== '' && kept[at]!.warnings === '') fixes.replacedFlagged++;
    }
  }
  return fixes;
}
