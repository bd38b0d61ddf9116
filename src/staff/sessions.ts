import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/db.js';
import { isoPlusSeconds, nowIso } from '../shared/time.js';
import { toMember, type StaffMember } from './staff.js';

/** Signed-in browser sessions. The cookie holds a random id; the database only its hash. */
export interface WebSession {
  staff: StaffMember;
  csrfToken: string;
  /** ISO time after which the session no longer signs anyone in. */
  expiresAt: string;
}

const LIFETIME_SECONDS = 12 * 3600;
/** What the database keeps of a session cookie (flashes.ts binds to it too). */
export const sessionHash = (id: string) => createHash('sha256').update(id).digest('hex');

export async function startSession(db: Db, staff: StaffMember): Promise<{ cookie: string; session: WebSession }> {
  const id = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const now = nowIso();
  const expiresAt = isoPlusSeconds(now, LIFETIME_SECONDS);
  await db.kysely.insertInto('web_sessions').values({ id_hash: sessionHash(id), staff_id: staff.id, csrf_token: csrf, created_at: now, expires_at: expiresAt }).execute();
  return { cookie: id, session: { staff, csrfToken: csrf, expiresAt } };
}

/** Runs on every signed-in request, so it is one indexed query: the session and its staff member together (see sessionCache.ts for photos). */
export async function resolveSession(db: Db, cookie: string): Promise<WebSession | undefined> {
  if (cookie.length > 100) return undefined;
  const row = await db.kysely
    .selectFrom('web_sessions as s')
    .innerJoin('staff as m', 'm.id', 's.staff_id')
    .select(['s.csrf_token', 's.expires_at', 'm.id', 'm.district_id', 'm.email', 'm.role', 'm.created_at', 'm.must_change_password'])
    .where('s.id_hash', '=', sessionHash(cookie))
    .executeTakeFirst();
  if (!row || row.expires_at <= nowIso()) return undefined;
  return {
    staff: toMember(row),
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
  };
}

export async function endSession(db: Db, cookie: string): Promise<void> {
  await db.kysely.deleteFrom('web_sessions').where('id_hash', '=', sessionHash(cookie)).execute();
}

/**
 * Ends a member's sessions, all but the one `keepCookie` names (the browser
 * that changed its own password stays signed in). Sessions live in the
 * database, so every node stops accepting them at once; only a node's short
 * photo cache (sessionCache.ts) can still serve a few seconds of thumbnails.
 */
export async function endSessionsOf(db: Db, staffId: number, keepCookie?: string): Promise<void> {
  let q = db.kysely.deleteFrom('web_sessions').where('staff_id', '=', staffId);
  if (keepCookie !== undefined) q = q.where('id_hash', '!=', sessionHash(keepCookie));
  await q.execute();
}

export function csrfMatches(session: WebSession, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
