import type { Db } from '../db/db.js';
import { nameOrder, toPerson, type Person } from '../people/people.js';
import { toCsv } from '../shared/csv.js';
import { LanyardError } from '../shared/errors.js';
import { decodeWarnings, WARNING_LABELS, type PhotoWarning } from './warnings.js';

/**
 * The retake list: before picture retake day, every active person who needs
 * a (new) photo, school by school. Someone needs one when they have no photo,
 * when the quality checks found something in the photo they show, or when it
 * was delivered before a date the district chooses (last year's photos).
 */

export type RetakeReason = { kind: 'no-photo' } | { kind: 'warnings'; warnings: PhotoWarning[] } | { kind: 'older'; deliveredAt: string };

export interface RetakeEntry {
  person: Person;
  reasons: RetakeReason[];
}

export interface RetakeQuery {
  /** One school's code; every school when not given. */
  school?: string | undefined;
  /** YYYY-MM-DD: photos delivered before this day need a retake too. */
  takenBefore?: string | undefined;
}

const PAGE = 5000;

/** A date a person typed, as the start of that day in UTC; refused with the form to use. */
export function parseRetakeDate(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const s = raw.trim();
  const d = new Date(`${s}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) {
    throw new LanyardError('invalid', `"${raw}" is not a date: give it as YYYY-MM-DD, e.g. 2026-09-01 (photos delivered before that day are listed).`);
  }
  return d.toISOString();
}

/**
 * Everyone on the list, by school then name, read a page at a time so a
 * large district's list never sits in one query's memory at once.
 */
export async function* retakeList(db: Db, districtId: number, q: RetakeQuery): AsyncGenerator<RetakeEntry> {
  const before = parseRetakeDate(q.takenBefore);
  for (let offset = 0; ; offset += PAGE) {
    let query = db.kysely
      .selectFrom('people as p')
      .leftJoin('person_photos as c', 'c.person_id', 'p.id')
      .leftJoin('photo_versions as v', 'v.id', 'c.version_id')
      .selectAll('p')
      .select(['c.person_id as shown', 'v.warnings as photo_warnings', 'v.created_at as delivered_at'])
      .where('p.district_id', '=', districtId)
      .where('p.active', '=', 1);
    if (q.school !== undefined && q.school !== '') query = query.where('p.school', '=', q.school);
    query = query.where((eb) => {
      const needs = [eb('c.person_id', 'is', null), eb('v.warnings', '!=', '')];
      if (before) needs.push(eb('v.created_at', '<', before));
      return eb.or(needs);
    });
    // By name as the People list orders it; the keys name no other joined table's columns.
    let byName = query.orderBy('p.school');
    for (const key of nameOrder(db.dialect)) byName = byName.orderBy(key);
    const rows = await byName.limit(PAGE).offset(offset).execute();
    for (const r of rows) {
      const reasons: RetakeReason[] = [];
      if (r.shown === null) reasons.push({ kind: 'no-photo' });
      else {
        const warnings = decodeWarnings(r.photo_warnings);
        if (warnings.length) reasons.push({ kind: 'warnings', warnings });
        if (before && r.delivered_at !== null && r.delivered_at < before) reasons.push({ kind: 'older', deliveredAt: r.delivered_at });
      }
      yield { person: toPerson(r), reasons };
    }
    if (rows.length < PAGE) return;
  }
}

/** The reason as the list prints it. */
export function reasonText(r: RetakeReason): string {
  if (r.kind === 'no-photo') return 'No photo';
  if (r.kind === 'warnings') return `Photo to check: ${r.warnings.map((w) => WARNING_LABELS[w].toLowerCase()).join(', ')}`;
  return `Photo from ${r.deliveredAt.slice(0, 10)}`;
}

/**
 * The CSV photographers load into their capture software: Local ID, names,
 * grade and school (the school's name where the roster gave one).
 */
export function retakeCsv(entries: Iterable<RetakeEntry>, schoolNames: ReadonlyMap<string, string | null>): string {
  const rows = [...entries].map(({ person: p }) => [p.localId, p.lastName, p.firstName, p.grade ?? '', p.school === null ? '' : (schoolNames.get(p.school) ?? p.school)]);
  return toCsv(['Local ID', 'Last Name', 'First Name', 'Grade', 'School'], rows);
}
