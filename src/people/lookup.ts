import type { Db } from '../db/db.js';
import { matchPerson, searchPeople, type Person } from './people.js';

/**
 * Who is meant by what was scanned or typed at a desk: a Local ID first (an
 * ID card), one person or the few it could be; otherwise email or name, in
 * part (at most 12).
 */
export async function lookUpPerson(db: Db, districtId: number, text: string): Promise<Person[]> {
  const m = await matchPerson(db, districtId, text);
  if (m.kind === 'matched') return [m.person];
  if (m.kind === 'ambiguous') return m.candidates;
  return (await searchPeople(db, districtId, { text, limit: 12, offset: 0 })).people;
}
