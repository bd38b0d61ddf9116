import { sql, type Kysely } from 'kysely';

/**
 * A one-time password (an invite, an admin's reset, `staff reset-password`)
 * must be replaced at first sign-in and stops working 7 days after it was
 * made. `must_change_password` says the stored hash is such a password;
 * `one_time_expires_at` is when it stops signing anyone in (null: never).
 *
 * Accounts invited before this migration still sign in with the password the
 * admin read out to them (there was no way to change it): they must choose
 * their own at their next sign-in, but get no expiry, because expiring a
 * password a technician has used for months would lock them out over the
 * holidays for no fault of theirs. Which accounts were invited is known only
 * from the audit log (`staff.invited`, whose detail names the email);
 * accounts made by `staff create --password` chose their password and are
 * left alone, as today.
 *
 * `password_reveals` holds, for a few minutes, a reset's new password sealed
 * with a key that only the admin's browser holds (in the address of the
 * page that shows it once): the reset answers with a redirect, so reloading
 * never resets again, and the database alone never holds a readable password.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // 0/1, like people.active: one spelling on both databases.
  await db.schema.alterTable('staff').addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('staff').addColumn('one_time_expires_at', 'text').execute();

  const invited = (await sql<{ detail: string }>`select detail from audit_log where action = 'staff.invited'`.execute(db)).rows;
  const emails = [...new Set(invited.map((r) => emailOf(r.detail)).filter((e): e is string => e !== undefined))];
  for (const email of emails) {
    await sql`update staff set must_change_password = 1 where email = ${email}`.execute(db);
  }

  await db.schema
    .createTable('password_reveals')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    // The admin who made the reset: only their session may see it.
    .addColumn('viewer_staff_id', 'integer', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('password_expires_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

function emailOf(detail: string): string | undefined {
  try {
    const email = (JSON.parse(detail) as { email?: unknown }).email;
    return typeof email === 'string' ? email : undefined;
  } catch {
    return undefined;
  }
}
