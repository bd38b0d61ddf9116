import type { Db } from '../db/db.js';
import { sql } from 'kysely';
import { COUNT_LIMIT, nameOrder, toPerson, type PeopleRestriction, type Person } from '../people/people.js';

export interface SchoolCoverage {
  /** The school code ('' for people without one). */
  school: string;
  active: number;
  withPhoto: number;
}

/**
 * The Photos desk's coverage. Up to COUNT_LIMIT active people, counted
 * exactly, in all and per school. Beyond, counting everyone would read the
 * whole district on every visit (500,000 people: most of a second), so only
 * who has no photo yet is counted, and that stops at COUNT_LIMIT, as the
 * People page's counts do; a school's coverage is then the People page
 * filtered by school and photo.
 */
export type PhotoCoverage =
  | { kind: 'counted'; active: number; withPhoto: number; bySchool: SchoolCoverage[] }
  | { kind: 'beyondCount'; activeMoreThan: number; withoutPhoto: number; moreWithoutPhoto: boolean };

/** At most COUNT_LIMIT + 1 rows of each count are ever read, whatever the district's size. */
export async function photoCoverage(db: Db, districtId: number): Promise<PhotoCoverage> {
  const activePeople = db.kysely.selectFrom('people as p').where('p.district_id', '=', districtId).where('p.active', '=', 1);
  const capped = async (q: typeof activePeople) =>
    Number(
      (await db.kysely.selectFrom(q.select(sql.lit(1).as('one')).limit(COUNT_LIMIT + 1).as('counted')).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
    );
  if ((await capped(activePeople)) > COUNT_LIMIT) {
    const withoutPhoto = await capped(activePeople.where('p.has_photo', '=', 0));
    return { kind: 'beyondCount', activeMoreThan: COUNT_LIMIT, withoutPhoto: Math.min(withoutPhoto, COUNT_LIMIT), moreWithoutPhoto: withoutPhoto > COUNT_LIMIT };
  }
  const rows = await activePeople
    .leftJoin('person_photos as c', 'c.person_id', 'p.id')
    .select((eb) => ['p.school', eb.fn.countAll().as('active'), eb.fn.count('c.person_id').as('withPhoto')])
    .groupBy('p.school')
    .execute();
  const bySchool = rows
    .map((r) => ({ school: r.school ?? '', active: Number(r.active), withPhoto: Number(r.withPhoto) }))
    .sort((a, b) => a.school.localeCompare(b.school));
  return {
    kind: 'counted',
    active: bySchool.reduce((n, s) => n + s.active, 0),
    withPhoto: bySchool.reduce((n, s) => n + s.withPhoto, 0),
    bySchool,
  };
}

/** Active people who have no photo yet, by name as the People list orders it (the retake-day list), at most `limit` of them. */
export async function peopleWithoutPhoto(db: Db, districtId: number, limit = 1_000_000): Promise<Person[]> {
  let query = db.kysely.selectFrom('people').selectAll().where('district_id', '=', districtId).where('active', '=', 1).where('has_photo', '=', 0);
  for (const key of nameOrder(db.dialect)) query = query.orderBy(key);
  const rows = await query.limit(limit).execute();
  return rows.map(toPerson);
}

/**
 * A people search's restriction to those with (or without) a current photo:
 * who has one is this module's to say, so it writes the condition. It reads
 * the person's has_photo, which triggers on person_photos keep (migration
 * 0061), so that a count of who has no photo reads one index.
 */
export function photoFilter(hasPhoto: boolean): PeopleRestriction {
  return (eb) => eb('people.has_photo', '=', hasPhoto ? 1 : 0);
}
