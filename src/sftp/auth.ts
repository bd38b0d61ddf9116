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
export function createAuthenticator(deps: AuthDeps, onAccepted: (district: District, credentialVersion: number) => void) {
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

    if (ctx.method === 'password') {
      // Always run the hash, even for unknown users: equal time, equal answer. A locked address is answered
      // like a wrong password, without the hash (the guard skips it), after the same growing delay.
      const password = ctx.password;
      const check = await deps.guard.checkPassword(deps.address, ctx.username, async () => {
        const matches = await verifyPassword(password, account?.passwordHash ?? (await decoyHash()));
        return matches && account !== undefined && allows(account.district.sftpAuth, 'password') ? true : undefined;
      });
      if (!check.ok) {
        const refused = check.addressLocked;
        await deps.audit.record({
          action: refused ? 'sftp.login-refused' : 'sftp.login-failed',
          districtId: account?.district.id ?? null,
          actor: ctx.username,
          address: deps.address,
          detail: refused ? { method: ctx.method, reason: 'address locked out after too many failed logins' } : { method: ctx.method },
        });
        await sleep(check.delayMs);
        return ctx.reject(remaining());
      }
      if (!account) return ctx.reject(remaining());
    } else {
      // Keys are never locked out: a key cannot be guessed, and a district's scripts must keep working
      // while someone hammers its name with passwords (from anywhere, its own office's address included).
      const key = account && allows(account.district.sftpAuth, 'publickey') ? matchingKey(account, ctx) : undefined;
      if (!ctx.signature || !ctx.blob) {
        // Only asking whether a key would do: clients try each key they hold, so this is no failure.
        return key ? ctx.accept() : ctx.reject(remaining());
      }
      if (!key || key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
        // paramiko signs with every key it holds without asking first: no count, no delay, just "not this one".
        await deps.audit.record({ action: 'sftp.login-failed', districtId: account?.district.id ?? null, actor: ctx.username, address: deps.address, detail: { method: ctx.method } });
        return ctx.reject(remaining());
      }
      if (!account) return ctx.reject(remaining());
    }

    passed.add(ctx.method);
    if (account.district.sftpAuth === 'both' && passed.size < 2) {
      return ctx.reject(remaining(), true);
    }
    if (ctx.method === 'publickey') await deps.guard.recordSuccess(ctx.username);
    await deps.audit.record({ action: 'sftp.login', districtId: account.district.id, actor: ctx.username, address: deps.address, detail: { methods: [...passed] } });
    onAccepted(account.district, account.credentialVersion);
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
