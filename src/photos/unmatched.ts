import path from 'node:path';
import type { ChangedBy } from '../audit/audit.js';
import type { Db } from '../db/db.js';
import { recentEvents, type PublicEvent } from '../intake/events.js';
import { matchPerson, type Person } from '../people/people.js';
import { LanyardError } from '../shared/errors.js';

/**
 * What this module needs of the drop box's idphotos/ folder. The drop box sits
 * above the domain (it records intake events), so it is handed in.
 */
export interface PhotoFolder {
  find(districtId: number, name: string): Promise<{ sha256: string } | undefined>;
  rename(districtId: number, from: string, to: string, by: ChangedBy): Promise<void>;
}

/** Photos whose last outcome was "unmatched", still in the drop box as they were, whose Local ID still names no one. */
export async function unmatchedPhotos(db: Db, folder: PhotoFolder, districtId: number): Promise<PublicEvent[]> {
  const events = await recentEvents(db, districtId, { folder: 'idphotos', outcome: 'unmatched', limit: 200, offset: 0 });
  const seen = new Set<string>();
  const out: PublicEvent[] = [];
  for (const e of events) {
    if (seen.has(e.file)) continue;
    seen.add(e.file);
    const file = await folder.find(districtId, e.file);
    if (!file || file.sha256 !== e.sha256) continue;
    if (e.localId && (await matchPerson(db, districtId, e.localId)).kind === 'matched') continue;
    out.push(e);
  }
  return out;
}

/**
 * Gives a photo to the person it shows: the file is renamed in the drop box to
 * their Local ID, so it goes through the photo intake again rather than around it.
 */
export async function assignPhoto(
  db: Db,
  folder: PhotoFolder,
  districtId: number,
  input: { file: string; localId: string },
  by: ChangedBy,
): Promise<{ file: string; to: string; person: Person }> {
  const m = await matchPerson(db, districtId, input.localId);
  if (m.kind !== 'matched') {
    throw new LanyardError('not-found', `No one has Local ID ${input.localId}: check the number, or import the roster that brings them first.`);
  }
  const to = `${m.person.localId}${path.extname(input.file).toLowerCase() || '.jpg'}`;
  if (to === input.file) throw new LanyardError('conflict', `${input.file} already carries that Local ID.`);
  await folder.rename(districtId, input.file, to, by);
  return { file: input.file, to, person: m.person };
}
