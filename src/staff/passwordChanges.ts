import { writeAudit, type ChangedBy } from '../audit/audit.js';
import { inTransaction, type Db } from '../db/db.js';
import { getDistrict } from '../districts/districts.js';
import { checkNewPassword, generatePassword, hashPassword, verifyPassword } from '../districts/passwords.js';
import { LanyardError } from '../shared/errors.js';
import { endSessionsOf } from './sessions.js';
import { findStaff, normaliseEmail, oneTimeExpiry, toMember, MEMBER_COLUMNS, type StaffMember } from './staff.js';

/** The current password given to change it was not the right one (the web counts it as a failed sign-in). */
export class WrongCurrentPasswordError extends LanyardError {
  constructor() {
    super('invalid', 'Your current password is not right: type the password you signed in with.');
  }
}

/**
 * A staff member replaces their password with one of their own: the current
 * one (one-time or not) proves it is them at the keyboard, not someone at a
 * browser left signed in. Their other sessions end, this one stays.
 *
 * The new password is written only over the very hash the current one was
 * checked against: an admin's reset committed in between (say, because the
 * old password leaked) is not undone by someone who knew the old one.
 */
export async function changeOwnPassword(
  db: Db,
  input: { staffId: number; current: string; next: string; repeat: string; keepCookie: string },
  by: ChangedBy,
): Promise<StaffMember> {
  const row = await db.kysely.selectFrom('staff').select(['password_hash']).where('id', '=', input.staffId).executeTakeFirst();
  if (!row) throw new LanyardError('not-found', 'This sign-in no longer exists: ask a Lanyard admin of your district.');
  if (!input.current || !(await verifyPassword(input.current, row.password_hash))) throw new WrongCurrentPasswordError();
  if (input.next !== input.repeat) throw new LanyardError('invalid', 'The two new passwords are not the same: type your new password twice, exactly alike.');
  checkNewPassword(input.next, { canGenerate: false });
  if (input.next === input.current) throw new LanyardError('invalid', 'The new password is the same as the current one: choose a different one.');
  const hash = await hashPassword(input.next);
  return inTransaction(db, async (t) => {
    const member = await findStaff(t, input.staffId);
    if (!member) throw new LanyardError('not-found', 'This sign-in no longer exists: ask a Lanyard admin of your district.');
    const updated = await t.kysely
      .updateTable('staff')
      .set({ password_hash: hash, must_change_password: 0, one_time_expires_at: null })
      .where('id', '=', member.id)
      .where('password_hash', '=', row.password_hash)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      throw new LanyardError('conflict', 'Your password was reset a moment ago, so it was not changed: sign in with the one-time password an admin of your district gives you.');
    }
    await endSessionsOf(t, member.id, input.keepCookie);
    await writeAudit(t.kysely, { action: 'staff.password-changed', districtId: member.districtId, ...by, detail: { email: member.email } });
    return { ...member, mustChangePassword: false };
  });
}

export interface PasswordReset {
  member: StaffMember;
  /** The new one-time password, to pass on once: only its hash is kept. */
  password: string;
  /** When it stops signing in if not yet replaced. */
  expiresAt: string;
}

/**
 * An admin (or the CLI) gives a colleague a new one-time password: the old one
 * stops working, their sessions end everywhere, and they choose their own at
 * their next sign-in. An admin changes their own password themselves
 * (`byStaffId`), since resetting it here would sign them out mid-change.
 */
export async function resetStaffPassword(db: Db, input: { districtId: number; staffId: number; byStaffId?: number }, by: ChangedBy): Promise<PasswordReset> {
  if (input.byStaffId === input.staffId) throw new LanyardError('conflict', 'You cannot reset your own password here: use "Change my password" at the top of the page.');
  const password = generatePassword();
  const hash = await hashPassword(password);
  const expiresAt = oneTimeExpiry();
  return inTransaction(db, async (t) => {
    const member = await findStaff(t, input.staffId);
    if (!member || member.districtId !== input.districtId) throw new LanyardError('not-found', 'That staff account no longer exists.');
    await t.kysely.updateTable('staff').set({ password_hash: hash, must_change_password: 1, one_time_expires_at: expiresAt }).where('id', '=', member.id).execute();
    await endSessionsOf(t, member.id);
    await writeAudit(t.kysely, { action: 'staff.password-reset', districtId: member.districtId, ...by, detail: { email: member.email, expiresAt } });
    return { member: { ...member, mustChangePassword: true }, password, expiresAt };
  });
}

/** The CLI's way in: a district's slug and the member's email. */
export async function resetStaffPasswordByEmail(db: Db, input: { slug: string; email: string }, by: ChangedBy): Promise<PasswordReset> {
  const district = await getDistrict(db, input.slug);
  const email = normaliseEmail(input.email);
  const row = await db.kysely.selectFrom('staff').select(MEMBER_COLUMNS).where('district_id', '=', district.id).where('email', '=', email).executeTakeFirst();
  if (!row) {
    throw new LanyardError('not-found', `Nobody signs in to ${district.slug} as ${email}: check the spelling, or make the sign-in with "lanyard staff create ${district.slug}".`);
  }
  return resetStaffPassword(db, { districtId: district.id, staffId: toMember(row).id }, by);
}
