import { writeAudit, type ChangedBy } from '../audit/audit.js';
import { inTransaction, type Db } from '../db/db.js';
import type { RetentionPoliciesTable } from '../db/schema.js';
import { LanyardError } from '../shared/errors.js';

/**
 * How long a district keeps what it no longer needs, rule by rule. A rule set
 * to a number of days applies that; unset, its documented default
 * (docs/PRIVACY.md). Rows that record history stay; what a rule ends is
 * their pointing at stored bytes, which the sweep then deletes.
 */
export const RULES = ['superseded', 'originals', 'unmatched', 'deactivated', 'uploads'] as const;
export type Rule = (typeof RULES)[number];

/** Days per rule; for `superseded`, null means "the current school year's and the previous one's". */
export interface RetentionPolicy {
  readonly superseded: number | null;
  readonly originals: number;
  readonly unmatched: number;
  readonly deactivated: number;
  readonly uploads: number;
}

export const DEFAULT_POLICY: RetentionPolicy = {
  superseded: null,
  originals: 30,
  unmatched: 30,
  deactivated: 365,
  uploads: 30,
};

/** What each rule means, for the CLI, Settings and the log. */
export const RULE_LABELS: Readonly<Record<Rule, string>> = {
  superseded: 'Earlier photo versions (not the one shown)',
  originals: 'Original uploads (with their EXIF and GPS) after the served sizes are made',
  unmatched: 'Photos nobody matched, and refused uploads',
  deactivated: "A deactivated person's photos",
  uploads: 'Photo files in idphotos, and the bytes of intake history',
};

/** The CLI's flag per rule. */
export const RULE_FLAGS: Readonly<Record<Rule, string>> = {
  superseded: 'superseded-days',
  originals: 'originals-days',
  unmatched: 'unmatched-days',
  deactivated: 'deactivated-days',
  uploads: 'uploads-days',
};

const COLUMNS = {
  superseded: 'superseded_days',
  originals: 'originals_days',
  unmatched: 'unmatched_days',
  deactivated: 'deactivated_days',
  uploads: 'uploads_days',
} as const satisfies Record<Rule, keyof RetentionPoliciesTable>;

/** Days as a district reads them: "30 days", or the school-year default. */
export function describeDays(rule: Rule, days: number | null): string {
  if (days === null) return 'the current and the previous school year (from July 1)';
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}

/** Longest a rule may be set to: ten years. Longer is keeping forever under another name. */
const MAX_DAYS = 3650;

export async function getPolicy(db: Db, districtId: number): Promise<RetentionPolicy> {
  const row = await db.kysely.selectFrom('retention_policies').selectAll().where('district_id', '=', districtId).executeTakeFirst();
  return {
    superseded: row?.superseded_days ?? DEFAULT_POLICY.superseded,
    originals: row?.originals_days ?? DEFAULT_POLICY.originals,
    unmatched: row?.unmatched_days ?? DEFAULT_POLICY.unmatched,
    deactivated: row?.deactivated_days ?? DEFAULT_POLICY.deactivated,
    uploads: row?.uploads_days ?? DEFAULT_POLICY.uploads,
  };
}

/** A change: days per rule to set, or 'default' to go back to the documented default. */
export type PolicyChange = Partial<Record<Rule, number | 'default'>>;

/** Reads "30" or "default" as a rule's new value, refusing anything else with what to write. */
export function parseDays(rule: Rule, text: string): number | 'default' {
  const t = text.trim().toLowerCase();
  if (t === 'default') return 'default';
  if (!/^\d+$/.test(t) || Number(t) > MAX_DAYS) {
    throw new LanyardError('invalid', `--${RULE_FLAGS[rule]} is a whole number of days from 0 to ${MAX_DAYS}, or "default"; "${text}" is neither.`);
  }
  return Number(t);
}

/** Changes rules of a district's policy (the others stay), audited in the same transaction. */
export async function setPolicy(db: Db, districtId: number, change: PolicyChange, by: ChangedBy): Promise<RetentionPolicy> {
  const entries = RULES.filter((r) => change[r] !== undefined);
  if (entries.length === 0) return getPolicy(db, districtId);
  return inTransaction(db, async (trx) => {
    const at = new Date().toISOString();
    const values = Object.fromEntries(entries.map((r) => [COLUMNS[r], change[r] === 'default' ? null : (change[r] as number)]));
    await trx.kysely
      .insertInto('retention_policies')
      .values({ district_id: districtId, updated_at: at, ...values })
      .onConflict((oc) => oc.column('district_id').doUpdateSet({ updated_at: at, ...values }))
      .execute();
    await writeAudit(trx.kysely, {
      action: 'settings.retention',
      districtId,
      actor: by.actor,
      address: by.address,
      detail: Object.fromEntries(entries.map((r) => [RULE_FLAGS[r], change[r]])),
    });
    return getPolicy(trx, districtId);
  });
}

/**
 * When the current school year began (July 1, UTC), and the previous one:
 * versions from before the previous year's start go under the default.
 */
export function previousSchoolYearStart(now: Date): Date {
  const y = now.getUTCFullYear();
  const thisYearStart = now.getUTCMonth() >= 6 ? y : y - 1;
  return new Date(Date.UTC(thisYearStart - 1, 6, 1));
}

/** The moment before which a rule removes (`days` ago, or the school-year start). */
export function cutoff(rule: Rule, policy: RetentionPolicy, now: Date): string {
  const days = policy[rule];
  if (days === null) return previousSchoolYearStart(now).toISOString();
  return new Date(now.getTime() - days * 24 * 3600 * 1000).toISOString();
}
