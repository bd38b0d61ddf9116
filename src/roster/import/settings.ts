import type { Kysely } from 'kysely';
import type { Db } from '../../db/db.js';
import type { Database, PersonRole } from '../../db/schema.js';
import { nowIso } from '../../shared/time.js';
import type { GradeOverrides } from '../formats/fields.js';
import { DEFAULT_PARSE_OPTIONS, type ParseOptions } from '../formats/parse.js';

/** What a district chose about its roster imports. */
export interface RosterSettings extends ParseOptions {
  /** Per role: people missing from a full file are deactivated (off unless the district opts in). */
  deactivateMissing: Record<PersonRole, boolean>;
  /** Above this share of a role's active people, nobody of that role is deactivated without force. */
  deactivateLimitPercent: number;
}

const DEFAULT_DEACTIVATE_LIMIT_PERCENT = 10;

export const DEFAULT_ROSTER_SETTINGS: RosterSettings = {
  ...DEFAULT_PARSE_OPTIONS,
  deactivateMissing: { student: false, staff: false },
  deactivateLimitPercent: DEFAULT_DEACTIVATE_LIMIT_PERCENT,
};

type Reader = Kysely<Database>;

export async function getRosterSettings(k: Db | Reader, districtId: number): Promise<RosterSettings> {
  const q = 'kysely' in k ? k.kysely : k;
  const r = await q.selectFrom('roster_settings').selectAll().where('district_id', '=', districtId).executeTakeFirst();
  if (!r) return DEFAULT_ROSTER_SETTINGS;
  return {
    deactivateMissing: { student: r.deactivate_students === 1, staff: r.deactivate_staff === 1 },
    deactivateLimitPercent: r.deactivate_limit_percent,
    cleverIdColumn: { students: r.clever_students_id, teachers: r.clever_teachers_id, staff: r.clever_staff_id },
    oneRosterId: r.oneroster_id,
    gradeOverrides: JSON.parse(r.grade_overrides) as GradeOverrides,
  };
}

export async function saveRosterSettings(db: Db, districtId: number, s: RosterSettings): Promise<RosterSettings> {
  const row = {
    deactivate_students: s.deactivateMissing.student ? 1 : 0,
    deactivate_staff: s.deactivateMissing.staff ? 1 : 0,
    deactivate_limit_percent: s.deactivateLimitPercent,
    clever_students_id: s.cleverIdColumn.students,
    clever_teachers_id: s.cleverIdColumn.teachers,
    clever_staff_id: s.cleverIdColumn.staff,
    oneroster_id: s.oneRosterId,
    grade_overrides: JSON.stringify(s.gradeOverrides),
    updated_at: nowIso(),
  };
  await db.kysely
    .insertInto('roster_settings')
    .values({ district_id: districtId, ...row })
    .onConflict((oc) => oc.column('district_id').doUpdateSet(row))
    .execute();
  return s;
}
