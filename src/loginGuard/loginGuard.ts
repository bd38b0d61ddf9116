import type { Db } from '../db/db.js';
import { isoPlusSeconds, nowIso } from '../shared/time.js';

export interface LoginGuardLimits {
  failuresPerAddress: number;
  failuresPerAccount: number;
  lockoutSeconds: number;
}

export type Scope = 'address' | 'account';

export interface LoginGuard {
  /** True while either the address or the account is locked out. */
  isLocked(address: string, account: string): Promise<boolean>;
  /** Counts a failure; returns how long to wait before answering, so guessing is slow. */
  recordFailure(address: string, account: string): Promise<number>;
  recordSuccess(account: string): Promise<void>;
}

/**
 * Brute-force defence kept in the database, so every node of a deployment
 * counts the same failures. Counts run over a window as long as the lockout;
 * reaching the limit locks the address or account for that long. Unknown
 * accounts are counted like real ones, so the answers reveal nothing.
 */
export function createLoginGuard(db: Db, limits: LoginGuardLimits): LoginGuard {
  const limitFor = (scope: Scope) => (scope === 'address' ? limits.failuresPerAddress : limits.failuresPerAccount);
  const key = (account: string) => account.toLowerCase().slice(0, 100);

  async function locked(scope: Scope, subject: string, now: string) {
    const row = await db.kysely
      .selectFrom('login_throttle')
      .select('locked_until')
      .where('scope', '=', scope)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row?.locked_until != null && row.locked_until > now;
  }

  async function bump(scope: Scope, subject: string, now: string): Promise<number> {
    return db.kysely.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('login_throttle').selectAll().where('scope', '=', scope).where('subject', '=', subject).executeTakeFirst();
      const windowOpen = row && isoPlusSeconds(row.window_started_at, limits.lockoutSeconds) > now;
      const failures = windowOpen ? row.failures + 1 : 1;
      const windowStart = windowOpen ? row.window_started_at : now;
      const lockedUntil = failures >= limitFor(scope) ? isoPlusSeconds(now, limits.lockoutSeconds) : (row?.locked_until ?? null);
      await trx
        .insertInto('login_throttle')
        .values({ scope, subject, failures, window_started_at: windowStart, locked_until: lockedUntil })
        .onConflict((oc) => oc.columns(['scope', 'subject']).doUpdateSet({ failures, window_started_at: windowStart, locked_until: lockedUntil }))
        .execute();
      return failures;
    });
  }

  return {
    async isLocked(address, account) {
      const now = nowIso();
      return (await locked('address', address, now)) || (await locked('account', key(account), now));
    },

    async recordFailure(address, account) {
      const now = nowIso();
      const [a, b] = await Promise.all([bump('address', address, now), bump('account', key(account), now)]);
      // 0.5 s, 1 s, 2 s … up to 8 s: harmless for a typo, ruinous for a guesser.
      return Math.min(8000, 500 * 2 ** (Math.max(a, b) - 1));
    },

    async recordSuccess(account) {
      await db.kysely.deleteFrom('login_throttle').where('scope', '=', 'account').where('subject', '=', key(account)).execute();
    },
  };
}
