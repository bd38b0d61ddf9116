import type { PersonRole } from '../../db/schema.js';
import { detailsKey, detailsOf, type PersonDetails, type PersonFields, type PersonSnapshot } from '../../people/apply.js';
import { roleKnown, type OptionalField, type ParsedRoster, type RoleKnownRow, type RosterRejection, type RosterRow, type RowError } from '../rows.js';
import type { RosterSettings } from './settings.js';

/*
 * Planning an import: what a parsed file would change in the district, and
 * the sentences that report it.
 */

/** Missing people of a role that were not deactivated because there were too many. */
export interface HeldDeactivation {
  role: PersonRole;
  missing: number;
  active: number;
  percent: number;
  limitPercent: number;
}

/** Exactly what an import would change: what a dry run shows and what the commit applies. */
export interface ImportPlan {
  creates: PersonFields[];
  updates: Array<{ id: number; localId: string; fields: PersonFields; changed: Array<keyof PersonFields>; previous: Partial<PersonFields> }>;
  reactivations: Array<{ id: number; localId: string; fields: PersonFields }>;
  deactivations: Array<{ id: number; localId: string; role: PersonRole; reason: 'missing' | 'inactive-in-file' }>;
  unchanged: number;
  rowErrors: RowError[];
  /** Rows imported with a value that looks wrong, said so the district can correct it. */
  rowWarnings: RowError[];
  held: HeldDeactivation[];
  notes: string[];
}

export interface PlanOptions {
  /** Deactivate past the district's limit (the person running it checked the file). */
  forceDeactivate: boolean;
}

const DETAILS: Array<keyof PersonDetails> = ['firstName', 'lastName', 'school', 'grade', 'email', 'stateId'];

const OPTIONAL: OptionalField[] = ['school', 'grade', 'email', 'stateId'];

const ROLE_WORDS: Record<PersonRole, { one: string; many: string }> = {
  student: { one: 'student', many: 'students' },
  staff: { one: 'staff member', many: 'staff' },
};

const toFields = (r: RoleKnownRow): PersonFields => ({
  localId: r.localId,
  firstName: r.firstName,
  lastName: r.lastName,
  role: r.role,
  school: r.school,
  grade: r.grade,
  email: r.email,
  stateId: r.stateId,
  active: r.active,
});

/**
 * A OneRoster 1.2 delta user without a roles.csv row: the role the district
 * has for them, and their school too unless users.csv named one; a grade only
 * if that role is a student's. Someone new gets no guessed role.
 */
function roleAsBefore(r: RosterRow, existing: PersonSnapshot | undefined): RoleKnownRow | RowError {
  if (!existing) {
    return {
      line: r.line,
      localId: r.localId,
      message: `Line ${r.line}: ${r.localId} is not in Lanyard yet, and this delta's roles.csv has no row for them, so Lanyard cannot tell whether they are a student or staff; this row was not imported. Send their roles.csv row, or a full export.`,
    };
  }
  const before = detailsOf(existing);
  return { ...r, role: existing.role, school: r.school ?? before.school, grade: existing.role === 'student' ? r.grade : null };
}

/**
 * Compares a parsed file with the district's people. Pure, so a dry run and
 * the real import agree by construction. Safety rules:
 * - a Local ID already used by someone of the other role is a row error;
 * - people missing from a file complete for their role are deactivated only
 *   when the district opted in for that role, and only up to its limit (of
 *   that role's active people) unless forced: above it, creates and updates
 *   still apply, nobody is deactivated, and the report says why;
 * - people who reappear are reactivated.
 */
export function planImport(parsed: ParsedRoster, people: ReadonlyMap<string, PersonSnapshot>, settings: RosterSettings, opts: PlanOptions): ImportPlan {
  const plan: ImportPlan = { creates: [], updates: [], reactivations: [], deactivations: [], unchanged: 0, rowErrors: [...parsed.rowErrors], rowWarnings: [], held: [], notes: [...parsed.notes] };
  /** People the file mentions, by id (rows with errors included: a typo elsewhere in a row must not deactivate anyone). */
  const mentioned = new Set<number>();
  const mention = (localId: string | null) => {
    const p = localId === null ? undefined : people.get(localId);
    if (p) mentioned.add(p.id);
  };
  for (const e of parsed.rowErrors) mention(e.localId);

  // Details the file has no column for keep what each person had.
  const absent = OPTIONAL.filter((f) => !parsed.present.includes(f));
  for (const read of parsed.rows) {
    const existing = people.get(read.localId);
    if (existing) mentioned.add(existing.id);
    const row = roleKnown(read) ? read : roleAsBefore(read, existing);
    if ('message' in row) {
      plan.rowErrors.push(row);
      continue;
    }
    if (!existing) {
      plan.creates.push(row);
      continue;
    }
    if (existing.role !== row.role) {
      plan.rowErrors.push({
        line: row.line,
        localId: row.localId,
        message: `Line ${row.line}: Local ID ${row.localId} already belongs to a ${ROLE_WORDS[existing.role].one} (${detailsOf(existing).firstName} ${detailsOf(existing).lastName}); one Local ID must mean one person, so this row was not imported.`,
      });
      continue;
    }
    // The row itself unless a detail must be filled in: most rows are unchanged and need no copy.
    let old: PersonDetails | undefined;
    let fields: PersonFields = row;
    if (absent.length > 0) {
      old = detailsOf(existing);
      fields = toFields(row);
      for (const f of absent) fields[f] = old[f];
    }
    let changed: Array<keyof PersonDetails> = [];
    let previous: Partial<PersonFields> = {};
    if (detailsKey(fields) !== existing.details) {
      const before = old ?? detailsOf(existing);
      changed = DETAILS.filter((f) => before[f] !== fields[f]);
      previous = Object.fromEntries(changed.map((f) => [f, before[f]]));
    }
    const wasActive = existing.active;
    if (!wasActive && row.active) plan.reactivations.push({ id: existing.id, localId: row.localId, fields });
    else if (wasActive && !row.active) {
      plan.deactivations.push({ id: existing.id, localId: row.localId, role: row.role, reason: 'inactive-in-file' });
      if (changed.length > 0) plan.updates.push({ id: existing.id, localId: row.localId, fields, changed, previous });
    } else if (changed.length > 0) plan.updates.push({ id: existing.id, localId: row.localId, fields, changed, previous });
    else plan.unchanged++;
  }
  plan.rowErrors.sort((a, b) => a.line - b.line);
  // Only rows that were imported: one left out says why already.
  const leftOut = new Set(plan.rowErrors.map((e) => e.line));
  plan.rowWarnings = parsed.rowWarnings.filter((w) => !leftOut.has(w.line));

  for (const role of parsed.completeFor) {
    const missing: Array<[string, PersonSnapshot]> = [];
    let active = 0;
    for (const [localId, p] of people) {
      if (p.role !== role || !p.active) continue;
      active++;
      if (!mentioned.has(p.id)) missing.push([localId, p]);
    }
    if (missing.length === 0) continue;
    const words = ROLE_WORDS[role];
    if (!settings.deactivateMissing[role]) {
      plan.notes.push(
        `${missing.length} active ${missing.length === 1 ? words.one : words.many} ${missing.length === 1 ? 'is' : 'are'} not in this file and stay active: deactivating missing ${words.many} is off (turn it on with \`lanyard roster settings <district> --deactivate-missing ${role === 'student' ? 'students' : 'staff'}\`).`,
      );
      continue;
    }
    const percent = (missing.length / active) * 100;
    if (percent > settings.deactivateLimitPercent && !opts.forceDeactivate) {
      plan.held.push({ role, missing: missing.length, active, percent, limitPercent: settings.deactivateLimitPercent });
      continue;
    }
    for (const [localId, p] of missing) plan.deactivations.push({ id: p.id, localId, role, reason: 'missing' });
  }
  return plan;
}

/** The guard's explanation, for the report. */
function describeHeld(h: HeldDeactivation): string {
  const words = ROLE_WORDS[h.role];
  return `No ${words.many} were deactivated: ${h.missing} of ${h.active} active ${words.many} (${Math.round(h.percent)}%) are missing from this file, more than the ${h.limitPercent}% limit, which usually means a column moved or the export was cut short. Check the file; if it is right, an admin can choose “Deactivate them anyway” beside this import on the Rosters page, or import it again with \`lanyard roster import <district> <file> --force-deactivate\`.`;
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  reactivated: number;
  errors: number;
}

export function countsOf(plan: ImportPlan): ImportCounts {
  return {
    created: plan.creates.length,
    updated: plan.updates.length,
    unchanged: plan.unchanged,
    deactivated: plan.deactivations.length,
    reactivated: plan.reactivations.length,
    errors: plan.rowErrors.length,
  };
}

/** Row errors quoted in a message; the rest are in the history. */
const ERRORS_IN_MESSAGE = 5;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function countsSentence(c: ImportCounts): string {
  return `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deactivated} deactivated, ${c.reactivated} reactivated, ${plural(c.errors, 'error')}`;
}

/** What the district reads on the intake event and in the history, for a file that was imported. */
export function importedMessage(file: string, plan: ImportPlan, opts: { dryRun?: boolean; schools?: number } = {}): string {
  const c = countsOf(plan);
  const parts = [`${opts.dryRun ? 'Dry run of' : 'Imported'} ${file}: ${countsSentence(c)}${opts.dryRun ? ' (nothing was changed)' : ''}.`];
  if (opts.schools) parts.push(`${plural(opts.schools, 'school')} recorded.`);
  for (const h of plan.held) parts.push(describeHeld(h));
  parts.push(...plan.notes);
  if (plan.rowErrors.length > 0) {
    const shown = plan.rowErrors.slice(0, ERRORS_IN_MESSAGE).map((e) => e.message);
    const more = plan.rowErrors.length - shown.length;
    parts.push(`Rows left out: ${shown.join(' ')}${more > 0 ? ` …and ${more} more (see \`lanyard roster history <district>\`).` : ''}`);
  }
  if (plan.rowWarnings.length > 0) {
    const shown = plan.rowWarnings.slice(0, ERRORS_IN_MESSAGE).map((e) => e.message);
    const more = plan.rowWarnings.length - shown.length;
    parts.push(`Values that look wrong: ${shown.join(' ')}${more > 0 ? ` …and ${more} more (see the Rosters desk).` : ''}`);
  }
  return parts.join(' ');
}

export function rejectedMessage(file: string, r: RosterRejection): string {
  return `${file} was not imported: ${r.message}`;
}
