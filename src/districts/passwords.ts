import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { LanyardError } from '../shared/errors.js';

/**
 * scrypt with N=2^15, r=8: 32 MiB and about 50 ms per check, so a stolen
 * database does not give up passwords cheaply. The parameters are stored with
 * the hash so they can be raised later without breaking existing accounts.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LEN = 32;

/**
 * Each hash holds 32 MiB and one of libuv's four threads, which uploads need
 * for their file writes. Ten photographers connecting at once would otherwise
 * take 128 MiB at a go (half the server's memory budget) and stall everyone's
 * uploads; two at a time keeps both bounded, the rest wait ~50 ms each.
 */
const MAX_CONCURRENT_HASHES = 2;
let hashing = 0;
const waiting: Array<() => void> = [];

async function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  if (hashing < MAX_CONCURRENT_HASHES) hashing++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await new Promise((resolve, reject) =>
      scryptCb(password, salt, keylen, { ...opts, maxmem: 128 * opts.N! * opts.r! * 2 }, (err, key) => (err ? reject(err) : resolve(key))),
    );
  } finally {
    // Hand the slot straight to the next in line, so nobody can overtake and exceed the limit.
    const next = waiting.shift();
    if (next) next();
    else hashing--;
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

let decoy: Promise<string> | undefined;
/** A hash no password matches, checked for unknown usernames so they take as long as wrong passwords. */
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(randomBytes(24).toString('base64')));

/** 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I): ~115 bits, easy to read off a welcome sheet. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const out: string[] = [];
  while (out.length < 20) {
    for (const b of randomBytes(32)) {
      // Reject the top of the byte range so every character is equally likely.
      if (b < 256 - (256 % alphabet.length) && out.length < 20) out.push(alphabet[b % alphabet.length]!);
    }
  }
  return `${out.slice(0, 5).join('')}-${out.slice(5, 10).join('')}-${out.slice(10, 15).join('')}-${out.slice(15).join('')}`;
}

/** `canGenerate`: the form or command makes a strong password when none is given, so the message offers that. */
export function checkNewPassword(password: string, opts: { canGenerate?: boolean } = {}): void {
  if (password.length < 8) {
    const or = opts.canGenerate === false ? '' : ', or leave it out and Lanyard will make a strong one';
    throw new LanyardError('invalid', `That password is too short: use at least 8 characters${or}.`);
  }
  if (password.length > 256) throw new LanyardError('invalid', 'That password is too long: use at most 256 characters.');
}
