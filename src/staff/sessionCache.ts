import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Db } from '../db/db.js';
import { getDistrictById, type District } from '../districts/districts.js';
import { resolveSession, type WebSession } from './sessions.js';

export interface SignedIn {
  session: WebSession;
  district: District;
}

/**
 * Who a session cookie belongs to, as found at most `ttlMs` ago. Only photo
 * requests use it: a list page asks for a hundred thumbnails at once, and
 * finding the session and its district (two queries) was most of the work of
 * each. Pages and every change keep the exact lookup.
 *
 * The price is bounded and small: a session ended on this node (sign-out, an
 * admin removing the account here) is forgotten at once; one ended on another
 * node or by the CLI can still fetch photo bytes of its own district for at
 * most `ttlMs`, the same trade RFC 7662 describes for caching token checks.
 * Sessions that do not exist are never cached, so a stream of made-up
 * cookies cannot fill it, and an entry never outlives its session's expiry.
 */
export interface SessionCache {
  resolve(cookie: string): Promise<SignedIn | undefined>;
  forget(cookie: string): void;
  forgetStaff(staffId: number): void;
}

export function createSessionCache(db: Db, opts: { ttlMs: number; max: number }): SessionCache {
  const cache = new LRUCache<string, SignedIn>({ max: opts.max, ttl: opts.ttlMs });
  return {
    async resolve(cookie) {
      const key = keyOf(cookie);
      const hit = cache.get(key);
      if (hit) return hit;
      const session = await resolveSession(db, cookie);
      if (!session) return undefined;
      const found = { session, district: await getDistrictById(db, session.staff.districtId) };
      const left = Date.parse(session.expiresAt) - Date.now();
      if (left > 0) cache.set(key, found, { ttl: Math.min(opts.ttlMs, left) });
      return found;
    },
    forget(cookie) {
      cache.delete(keyOf(cookie));
    },
    forgetStaff(staffId) {
      for (const [key, value] of cache.entries()) if (value.session.staff.id === staffId) cache.delete(key);
    },
  };
}

// Keyed by a hash so that no cookie itself is kept longer than its request.
const keyOf = (cookie: string): string => createHash('sha256').update(cookie).digest('base64');
