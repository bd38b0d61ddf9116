import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/db.js';
import { isoPlusSeconds, nowIso } from '../shared/time.js';

/**
 * A reset's new password, kept just long enough to be shown once on a page
 * the reset redirects to (POST/redirect/GET: reloading that page never
 * resets again, it only finds the password already shown). The key that
 * unseals it is the random token in that page's address, which only the
 * admin's browser has; the database keeps the token's hash and the sealed
 * bytes, so a copy of the database never holds a readable password. Rows
 * live in the database, not a node's memory, so the redirect may land on
 * any node.
 */
const LIFETIME_SECONDS = 10 * 60;

export interface Revealed {
  email: string;
  password: string;
  /** When the one-time password stops signing in. */
  passwordExpiresAt: string;
}

const idHash = (token: Buffer) => createHash('sha256').update(token).digest('hex');

/** Seals the password for the admin who made it; returns the token for the page's address. */
export async function sealReveal(db: Db, viewerStaffId: number, r: Revealed): Promise<string> {
  const token = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', token, iv);
  const body = Buffer.concat([cipher.update(r.password, 'utf8'), cipher.final()]);
  const sealed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  const now = nowIso();
  // Unseen ones are useless after their lifetime: tidy them here rather than in a timer.
  await db.kysely.deleteFrom('password_reveals').where('expires_at', '<=', now).execute();
  await db.kysely
    .insertInto('password_reveals')
    .values({ id_hash: idHash(token), viewer_staff_id: viewerStaffId, email: r.email, sealed, password_expires_at: r.passwordExpiresAt, expires_at: isoPlusSeconds(now, LIFETIME_SECONDS) })
    .execute();
  return token.toString('base64url');
}

/** The password, once: the row is gone after this, whoever asked. Only the admin who made it can open it. */
export async function openReveal(db: Db, viewerStaffId: number, tokenText: string): Promise<Revealed | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(tokenText)) return undefined;
  const token = Buffer.from(tokenText, 'base64url');
  const row = await db.kysely
    .deleteFrom('password_reveals')
    .where('id_hash', '=', idHash(token))
    .where('viewer_staff_id', '=', viewerStaffId)
    .returning(['email', 'sealed', 'password_expires_at', 'expires_at'])
    .executeTakeFirst();
  if (!row || row.expires_at <= nowIso()) return undefined;
  const raw = Buffer.from(row.sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', token, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  const password = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  return { email: row.email, password, passwordExpiresAt: row.password_expires_at };
}
