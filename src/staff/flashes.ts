import { randomBytes } from 'node:crypto';
import type { Db } from '../db/db.js';
import { isoPlusSeconds, nowIso } from '../shared/time.js';
import { sessionHash } from './sessions.js';

/**
 * One-use messages from a form's POST to the page its 303 redirect shows
 * (POST/redirect/GET). Kept in the database, not in memory or a cookie: the
 * GET may reach another node, and a secret must never travel in a cookie or
 * a URL. Each is bound to the session that made it (another session, even
 * knowing the id, reads nothing), read once (deleted as it is read, so a
 * reload shows nothing again and a secret is gone from the database as soon
 * as it is shown) and forgotten after ten minutes if never read.
 */
export interface FlashMessage {
  notice?: string | undefined;
  error?: string | undefined;
  /** A password, token or webhook secret, shown this once. */
  secret?: { label: string; value: string; note?: string | undefined } | undefined;
  /** A form's values, to fill it again. */
  values?: Record<string, string> | undefined;
}

export const FLASH_LIFETIME_SECONDS = 600;

/** Keeps a flash for the session whose cookie this is; answers the id its redirect names. */
export async function putFlash(db: Db, sessionCookie: string, message: FlashMessage, now = nowIso()): Promise<string> {
  const id = randomBytes(16).toString('base64url');
  await db.kysely.deleteFrom('web_flashes').where('expires_at', '<=', now).execute();
  await db.kysely
    .insertInto('web_flashes')
    .values({ id, session_hash: sessionHash(sessionCookie), payload: JSON.stringify(message), expires_at: isoPlusSeconds(now, FLASH_LIFETIME_SECONDS) })
    .execute();
  return id;
}

/** The flash with this id if this session made it and it has not expired; deleted in the same statement, so only one reader ever gets it. */
export async function takeFlash(db: Db, sessionCookie: string, id: string, now = nowIso()): Promise<FlashMessage | undefined> {
  if (id.length > 64) return undefined;
  const row = await db.kysely
    .deleteFrom('web_flashes')
    .where('id', '=', id)
    .where('session_hash', '=', sessionHash(sessionCookie))
    .returning(['payload', 'expires_at'])
    .executeTakeFirst();
  if (!row || row.expires_at <= now) return undefined;
  return JSON.parse(row.payload) as FlashMessage;
}
