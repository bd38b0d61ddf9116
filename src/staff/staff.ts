import { writeAudit, type ChangedBy } from '../audit/audit.js';
import { inTransaction, type Db } from '../db/db.js';
import { getDistrict, isUniqueViolation } from '../districts/districts.js';
import { checkNewPassword, decoyHash, generatePassword, hashPassword, verifyPassword } from '../districts/passwords.js';
import { looksLikeEmail } from '../shared/email.js';
import { LanyardError } from '../shared/errors.js';
import { isoPlusSeconds, nowIso } from '../shared/time.js';
import { isStaffRole, STAFF_ROLES, type StaffRole } from './roles.js';

export interface StaffMember {
  id: number;
  districtId: number;
  email: string;
  role: StaffRole;
  createdAt: string;
  /** Signed in with a one-time password (invite, reset): every page leads to Change my password until they choose their own. */
  mustChangePassword: boolean;
}

/** The columns a StaffMember is read from. */
export const MEMBER_COLUMNS = ['id', 'district_id', 'email', 'role', 'created_at', 'must_change_password'] as const;

export function toMember(r: { id: number; district_id: number; email: string; role: StaffRole; created_at: string; must_change_password: number }): StaffMember {
  return { id: r.id, districtId: r.district_id, email: r.email, role: r.role, createdAt: r.created_at, mustChangePassword: r.must_change_password === 1 };
}

export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!looksLikeEmail(email) || email.length > 254) throw new LanyardError('invalid', `"${raw}" is not an email address: use the person's work email, like tech@district.org.`);
  return email;
}

/** A web sign-in with the password given (the CLI's `staff create`), audited with the change. */
export async function createStaff(db: Db, input: { slug: string; email: string; password: string; role: string }, by: ChangedBy): Promise<StaffMember> {
  return addStaff(db, input, input.password, 'staff.created', by, undefined);
}

/** Checks and stores a new account; its audit entry commits with it. */
async function addStaff(
  db: Db,
  input: { slug: string; email: string; role: string },
  password: string,
  action: 'staff.created' | 'staff.invited',
  by: ChangedBy,
  /** When a one-time password stops working; undefined for a password the person chose. */
  oneTimeExpiresAt: string | undefined,
): Promise<StaffMember> {
  const district = await getDistrict(db, input.slug);
  const email = normaliseEmail(input.email);
  const role = input.role;
  if (!isStaffRole(role)) throw new LanyardError('invalid', `"${role}" is not a role: use ${STAFF_ROLES.join(', ')}.`);
  checkNewPassword(password);
  const hash = await hashPassword(password);
  return inTransaction(db, async (t) => {
    const row = await t.kysely
      .insertInto('staff')
      .values({
        district_id: district.id,
        email,
        password_hash: hash,
        role,
        created_at: nowIso(),
        must_change_password: oneTimeExpiresAt ? 1 : 0,
        one_time_expires_at: oneTimeExpiresAt ?? null,
      })
      .returning(MEMBER_COLUMNS)
      .executeTakeFirstOrThrow()
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new LanyardError('conflict', `${email} already has a Lanyard sign-in.`);
        throw err;
      });
    await writeAudit(t.kysely, { action, districtId: district.id, ...by, detail: { email, role } });
    return toMember(row);
  });
}

/** A right email and password: the member, and whether that password was a one-time one past its date. */
export interface StaffLogin {
  member: StaffMember;
  /** The sign-in page then says so instead of signing in (the password was right, so this tells a guesser nothing). */
  oneTimeExpired: boolean;
}

/**
 * Checks an email and password. Emails are unique across districts (a person
 * signs in without naming their district); unknown emails cost the same time
 * as wrong passwords.
 */
export async function verifyStaffLogin(db: Db, emailRaw: string, password: string): Promise<StaffLogin | undefined> {
  const email = emailRaw.trim().toLowerCase();
  const row = await db.kysely.selectFrom('staff').selectAll().where('email', '=', email).executeTakeFirst();
  const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
  if (!ok || !row) return undefined;
  const oneTimeExpired = row.must_change_password === 1 && row.one_time_expires_at !== null && row.one_time_expires_at <= nowIso();
  return { member: toMember(row), oneTimeExpired };
}

export async function findStaff(db: Db, id: number): Promise<StaffMember | undefined> {
  const row = await db.kysely.selectFrom('staff').select(MEMBER_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && toMember(row);
}

export async function listStaff(db: Db, districtId: number): Promise<StaffMember[]> {
  const rows = await db.kysely.selectFrom('staff').select(MEMBER_COLUMNS).where('district_id', '=', districtId).orderBy('email').execute();
  return rows.map(toMember);
}

/**
 * An admin adds a colleague: the account gets a one-time password the admin
 * passes on (shown once, stored only as a hash), so no email service is needed.
 * It must be replaced at first sign-in and stops working after ONE_TIME_DAYS.
 */
export async function inviteStaff(
  db: Db,
  input: { slug: string; email: string; role: string },
  by: ChangedBy,
): Promise<{ member: StaffMember; password: string; expiresAt: string }> {
  const password = generatePassword();
  const expiresAt = oneTimeExpiry();
  const member = await addStaff(db, input, password, 'staff.invited', by, expiresAt);
  return { member, password, expiresAt };
}

/** How long a one-time password (invite, reset) signs in: long enough for a week's absence, short enough not to linger on a sticky note. */
export const ONE_TIME_DAYS = 7;
export const oneTimeExpiry = (): string => isoPlusSeconds(nowIso(), ONE_TIME_DAYS * 86_400);

export async function setStaffRole(db: Db, districtId: number, id: number, role: string, by: ChangedBy): Promise<void> {
  if (!isStaffRole(role)) throw new LanyardError('invalid', `"${role}" is not a role: use ${STAFF_ROLES.join(', ')}.`);
  await inTransaction(db, async (t) => {
    const member = await findStaff(t, id);
    if (!member || member.districtId !== districtId) throw new LanyardError('not-found', 'That staff account no longer exists.');
    if (member.role === 'admin' && role !== 'admin') await keepOneAdmin(t, districtId);
    await t.kysely.updateTable('staff').set({ role }).where('id', '=', id).execute();
    await writeAudit(t.kysely, { action: 'staff.role', districtId, ...by, detail: { staffId: id, role } });
  });
}

export async function removeStaff(db: Db, districtId: number, id: number, by: ChangedBy): Promise<StaffMember> {
  return inTransaction(db, async (t) => {
    const member = await findStaff(t, id);
    if (!member || member.districtId !== districtId) throw new LanyardError('not-found', 'That staff account no longer exists.');
    if (member.role === 'admin') await keepOneAdmin(t, districtId);
    await t.kysely.deleteFrom('web_sessions').where('staff_id', '=', id).execute();
    await t.kysely.deleteFrom('staff').where('id', '=', id).execute();
    await writeAudit(t.kysely, { action: 'staff.removed', districtId, ...by, detail: { email: member.email } });
    return member;
  });
}

/** A district without an admin could never manage its settings again. */
async function keepOneAdmin(db: Db, districtId: number): Promise<void> {
  const admins = await db.kysely
    .selectFrom('staff')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('district_id', '=', districtId)
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  if (Number(admins.n) <= 1) throw new LanyardError('conflict', 'This is the last admin of the district: make someone else an admin first.');
}
