import { timingSafeEqual } from 'node:crypto';
import type { AuthContext, PublicKeyAuthContext } from 'ssh2';
import type { AuditLog } from '../audit/audit.js';
import type { Db } from '../db/db.js';
import type { SftpAuthMode } from '../db/schema.js';
import { findSftpAccount, type District } from '../districts/districts.js';
import { decoyHash, verifyPassword } from '../districts/passwords.js';
import { parseWireKey } from '../districts/sshKeys.js';
import type { LoginGuard } from '../loginGuard/loginGuard.js';

type Method = 'password' | 'publickey';
const ALL_METHODS: Method[] = ['publickey', 'password'];

export interface AuthDeps {
  db: Db;
  guard: LoginGuard;
  audit: AuditLog;
  address: string;
}

type Account = NonNullable<Awaited<ReturnType<typeof findSftpAccount>>>;

/**
 * The login conversation of one connection. Whatever the username, the
 * answers are the same (methods offered, time taken), so nobody can learn
 * which districts exist. With `both`, the first method that succeeds earns a
 * partial success and the client is asked for the other.
 */
export function createAuthenticator(deps: AuthDeps, onAccepted: (district: District) => void) {
  let username: string | undefined;
  let passed = new Set<Method>();

  const remaining = () => ALL_METHODS.filter((m) => !passed.has(m));

  return async function authenticate(ctx: AuthContext): Promise<void> {
    if (ctx.username !== username) {
      // OpenSSH lets a client change username mid-way; start over if it does.
      username = ctx.username;
      passed = new Set();
    }
    if (ctx.method !== 'password' && ctx.method !== 'publickey') return ctx.reject(remaining());

    const account = await findSftpAccount(deps.db, ctx.username);
    if (await deps.guard.isLocked(deps.address, ctx.username)) {
      await deps.audit.record({ action: 'sftp.login-refused', districtId: account?.district.id ?? null, actor: ctx.username, address: deps.address, detail: { method: ctx.method, reason: 'locked out after too many failed logins' } });
      await sleep(1000);
      return ctx.reject(remaining());
    }

    let good: boolean;
    if (ctx.method === 'password') {
      // Always run the hash, even for unknown users: equal time, equal answer.
      const matches = await verifyPassword(ctx.password, account?.passwordHash ?? (await decoyHash()));
      good = matches && account !== undefined && allows(account.district.sftpAuth, 'password');
    } else {
      const key = account && allows(account.district.sftpAuth, 'publickey') ? matchingKey(account, ctx) : undefined;
      if (!ctx.signature || !ctx.blob) {
        // Only asking whether a key would do: clients try each key they hold, so this is no failure.
        return key ? ctx.accept() : ctx.reject(remaining());
      }
      good = key !== undefined && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
    }

    if (!good || !account) {
      const delay = await deps.guard.recordFailure(deps.address, ctx.username);
      await deps.audit.record({ action: 'sftp.login-failed', districtId: account?.district.id ?? null, actor: ctx.username, address: deps.address, detail: { method: ctx.method } });
      await sleep(delay);
      return ctx.reject(remaining());
    }

    passed.add(ctx.method);
    if (account.district.sftpAuth === 'both' && passed.size < 2) {
      return ctx.reject(remaining(), true);
    }
    await deps.guard.recordSuccess(ctx.username);
    await deps.audit.record({ action: 'sftp.login', districtId: account.district.id, actor: ctx.username, address: deps.address, detail: { methods: [...passed] } });
    onAccepted(account.district);
    ctx.accept();
  };
}

function allows(mode: SftpAuthMode, method: Method): boolean {
  switch (mode) {
    case 'password':
      return method === 'password';
    case 'publickey':
      return method === 'publickey';
    case 'both':
    case 'either':
      return true;
  }
}

function matchingKey(account: Account, ctx: PublicKeyAuthContext) {
  for (const k of account.keys) {
    const stored = Buffer.from(k.public_key, 'base64');
    if (stored.length === ctx.key.data.length && timingSafeEqual(stored, ctx.key.data)) return parseWireKey(k.public_key);
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
