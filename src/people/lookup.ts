import type { Db } from '../db/db.js';
import { matchPerson, searchPeople, type Person } from './people.js';

/** How many people a desk's pick list shows: more is a list nobody reads at a counter. */
export const PICK_LIST_SIZE = 12;

/**
 * Who a desk's lookup found: the people listed, and how many match in all
 * (counted up to people.ts's COUNT_LIMIT, `more` beyond it) so the desk can
 * say "12 of 159, type more" instead of hiding that the list is cut.
 */
export interface PersonLookup {
  people: Person[];
  total: number;
  more: boolean;
}

/**
 * Who is meant by what was scanned or typed at a desk: a Local ID first (an
 * ID card), one person or the few it could be; otherwise email or name, in
 * part (at most PICK_LIST_SIZE, with the total).
 */
export async function lookUpPerson(db: Db, districtId: number, text: string): Promise<PersonLookup> {
  const m = await matchPerson(db, districtId, text);
  if (m.kind === 'matched') return { people: [m.person], total: 1, more: false };
  if (m.kind === 'ambiguous') return { people: m.candidates, total: m.candidates.length, more: false };
  return searchPeople(db, districtId, { text, limit: PICK_LIST_SIZE, offset: 0 });
}
