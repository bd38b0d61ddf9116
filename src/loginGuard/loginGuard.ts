import { isIP } from 'node:net';
import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import { isoPlusSeconds, nowIso } from '../shared/time.js';

export interface LoginGuardLimits {
  /** Failed passwords from one address within `lockoutSeconds` before the address is locked out for that long. */
  failuresPerAddress: number;
  lockoutSeconds: number;
}

export type Scope = 'address' | 'account';

/** What a password check came to. A refusal looks the same whatever its reason: wait `delayMs`, then say "wrong". */
export type PasswordCheck<T> = { ok: true; value: T } | { ok: false; delayMs: number; addressLocked: boolean };

export interface LoginGuard {
  /**
   * The whole of a password login, for any front door (SFTP, web sign-in):
   * a locked address is refused without `verify` being run (so a guesser
   * there learns nothing and costs no hashing); otherwise `verify` returns
   * the signed-in thing, or undefined for a wrong password. Every refusal
   * counts as a failure and comes with the delay to wait before answering;
   * the caller must answer a locked address and a wrong password alike.
   */
  checkPassword<T>(address: string, account: string, verify: () => Promise<T | undefined>): Promise<PasswordCheck<T>>;
  /** True while passwords from this address are refused. Accounts are never locked. */
  isAddressLocked(address: string): Promise<boolean>;
  /** Counts a failed password; returns how long to wait before answering, so guessing is slow. */
  recordFailure(address: string, account: string): Promise<number>;
  /** A login succeeded: the account's failures (which only slow its answers down) are forgotten. */
  recordSuccess(account: string): Promise<void>;
}

/** The longest a refusal is held back. */
export const MAX_DELAY_MS = 8000;

/**
 * Brute-force defence kept in the database, so every node of a deployment
 * counts the same failures.
 *
 * Only a source address is ever locked out: after `failuresPerAddress`
 * failures in a lockout time, passwords from there are refused (answered
 * exactly like a wrong one) for the lockout time. An account is never
 * locked, because anyone who knows a district's short name could otherwise
 * lock that district out from anywhere; its failures only make each further
 * failure's answer slower (0.5 s doubling to 8 s), which never delays the
 * right password. Unknown accounts are counted like real ones, so the answers
 * reveal nothing. IPv6 addresses count by their /64, which one machine
 * usually has whole.
 */
export function createLoginGuard(db: Db, limits: LoginGuardLimits): LoginGuard {
  const accountKey = (account: string) => account.toLowerCase().slice(0, 100);
  let failuresSincePrune = 0;

  async function addressLocked(address: string) {
    const row = await db.kysely
      .selectFrom('login_throttle')
      .select('locked_until')
      .where('scope', '=', 'address')
      .where('subject', '=', addressKey(address))
      .executeTakeFirst();
    return row?.locked_until != null && row.locked_until > nowIso();
  }

  /**
   * One statement, so concurrent failures on several nodes never lose a
   * count: a failure inside the window adds one, an older window starts again.
   */
  async function bump(scope: Scope, subject: string, now: string): Promise<number> {
    const windowStart = isoPlusSeconds(now, -limits.lockoutSeconds);
    const lockUntil = isoPlusSeconds(now, limits.lockoutSeconds);
    const inWindow = sql<boolean>`login_throttle.window_started_at > ${windowStart}`;
    const failures = sql<number>`CASE WHEN ${inWindow} THEN login_throttle.failures + 1 ELSE 1 END`;
    const locks = scope === 'address';
    const row = await db.kysely
      .insertInto('login_throttle')
      .values({ scope, subject, failures: 1, window_started_at: now, locked_until: locks && limits.failuresPerAddress <= 1 ? lockUntil : null })
      .onConflict((oc) =>
        oc.columns(['scope', 'subject']).doUpdateSet({
          failures,
          window_started_at: sql<string>`CASE WHEN ${inWindow} THEN login_throttle.window_started_at ELSE ${now} END`,
          locked_until: locks ? sql<string | null>`CASE WHEN ${failures} >= ${limits.failuresPerAddress} THEN ${lockUntil} ELSE login_throttle.locked_until END` : null,
        }),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    return Number(row.failures);
  }

  /** Rows whose window and lockout are both over say nothing any more; a guesser with many names must not grow the table for ever. */
  async function pruneNow(now: string) {
    await db.kysely
      .deleteFrom('login_throttle')
      .where('window_started_at', '<', isoPlusSeconds(now, -limits.lockoutSeconds))
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .execute();
  }

  async function recordFailure(address: string, account: string) {
    const now = nowIso();
    const [a, b] = await Promise.all([bump('address', addressKey(address), now), bump('account', accountKey(account), now)]);
    if (++failuresSincePrune >= 100) {
      failuresSincePrune = 0;
      await pruneNow(now);
    }
    // 0.5 s, 1 s, 2 s … up to 8 s: harmless for a typo, ruinous for a guesser.
    return Math.min(MAX_DELAY_MS, 500 * 2 ** (Math.max(a, b) - 1));
  }

  async function recordSuccess(account: string) {
    // The address's failures stay: a tenant must not wipe its address's count by logging in to its own account between guesses.
    await db.kysely.deleteFrom('login_throttle').where('scope', '=', 'account').where('subject', '=', accountKey(account)).execute();
  }

  return {
    async checkPassword(address, account, verify) {
      const locked = await addressLocked(address);
      const value = locked ? undefined : await verify();
      if (value !== undefined) {
        await recordSuccess(account);
        return { ok: true, value };
      }
      return { ok: false, delayMs: await recordFailure(address, account), addressLocked: locked };
    },
    isAddressLocked: addressLocked,
    recordFailure,
    recordSuccess,
  };
}

/**
 * The address a lockout or a connection limit counts by: IPv4 as it is (also
 * when written as IPv4-mapped IPv6), IPv6 by its /64 prefix, since one
 * customer is usually given a whole /64 and could otherwise guess from a new
 * address each time.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  // A trailing dotted quad (::ffff:0:1.2.3.4, 64:ff9b::1.2.3.4) is two groups.
  const plain = address
    .split('%')[0]!
    .toLowerCase()
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
      [((Number(a) << 8) | Number(b)).toString(16), ((Number(c) << 8) | Number(d)).toString(16)].join(':'),
    );
  const [head = '', tail = ''] = plain.split('::');
  const left = head ? head.split(':') : [];
  const right = plain.includes('::') && tail ? tail.split(':') : [];
  const groups = plain.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
