import type { Db } from '../db/db.js';
import { toPerson, type PeopleRestriction, type Person } from '../people/people.js';

/** How many active people have a photo, in all and per school: the Photos desk's coverage. */
export interface PhotoCoverage {
  active: number;
  withPhoto: number;
  /** Per school code ('' for people without one), by code. */
  bySchool: Array<{ school: string; active: number; withPhoto: number }>;
}

/** Coverage counted by the database (one grouped query), never by loading the district's people. */
export async function photoCoverage(db: Db, districtId: number): Promise<PhotoCoverage> {
  const rows = await db.kysely
    .selectFrom('people as p')
    .leftJoin('person_photos as c', 'c.person_id', 'p.id')
    .select((eb) => ['p.school', eb.fn.countAll().as('active'), eb.fn.count('c.person_id').as('withPhoto')])
    .where('p.district_id', '=', districtId)
    .where('p.active', '=', 1)
    .groupBy('p.school')
    .execute();
  const bySchool = rows
    .map((r) => ({ school: r.school ?? '', active: Number(r.active), withPhoto: Number(r.withPhoto) }))
    .sort((a, b) => a.school.localeCompare(b.school));
  return {
    active: bySchool.reduce((n, s) => n + s.active, 0),
    withPhoto: bySchool.reduce((n, s) => n + s.withPhoto, 0),
    bySchool,
  };
}

/** Active people who have no photo yet, by name (the retake-day list), at most `limit` of them. */
export async function peopleWithoutPhoto(db: Db, districtId: number, limit = 1_000_000): Promise<Person[]> {
  const rows = await db.kysely
    .selectFrom('people as p')
    .leftJoin('person_photos as c', 'c.person_id', 'p.id')
    .selectAll('p')
    .where('p.district_id', '=', districtId)
    .where('p.active', '=', 1)
    .where('c.person_id', 'is', null)
    .orderBy('p.last_name')
    .orderBy('p.first_name')
    .orderBy('p.local_id')
    .limit(limit)
    .execute();
  return rows.map(toPerson);
}

/**
 * A people search's restriction to those with (or without) a current photo:
 * who has one is this module's to say, so it writes the condition, and the
 * people query applies it per row (a primary-key probe), never a list of ids.
 */
export function photoFilter(hasPhoto: boolean): PeopleRestriction {
  return (eb) => {
    const shown = eb.selectFrom('person_photos as c').select('c.person_id').whereRef('c.person_id', '=', 'people.id');
    return hasPhoto ? eb.exists(shown) : eb.not(eb.exists(shown));
  };
}
