import { createHash, randomBytes } from 'node:crypto';
import { writeAudit, type ChangedBy } from '../audit/audit.js';
import type { Db } from '../db/db.js';
import { LanyardError } from '../shared/errors.js';
import { nowIso } from '../shared/time.js';
import { getDistrict, getDistrictById, type District } from './districts.js';

const PREFIX = 'lny_';
/** Characters of a token shown in lists: enough to tell tokens apart, far too few to use one. */
const SHOWN = 6;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface NewApiToken {
  label?: string | undefined;
  /** ISO time after which it no longer works; none: until revoked. */
  expiresAt?: string | undefined;
}

export interface ApiTokenInfo {
  id: number;
  label: string | null;
  /** `lny_AbCdEf…`, or null for a token made before tokens were listed. */
  shown: string | null;
  createdAt: string;
  expiresAt: string | null;
  expired: boolean;
}

/** A bearer token for the HTTP API. Only its hash is stored: it is shown once. */
export async function createApiToken(db: Db, slug: string, opts: NewApiToken, by: ChangedBy): Promise<{ id: number; token: string }> {
  const d = await getDistrict(db, slug);
  const label = opts.label?.trim() || null;
  if (label && label.length > 100) throw new LanyardError('invalid', 'A token label may be at most 100 characters: say briefly what will use it.');
  if (opts.expiresAt !== undefined && !(Date.parse(opts.expiresAt) > Date.now())) {
    throw new LanyardError('invalid', `The expiry ${opts.expiresAt} is not a date in the future: give a date such as 2027-06-30 or a number of days.`);
  }
  const token = PREFIX + randomBytes(32).toString('base64url');
  return db.kysely.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('api_tokens')
      .values({
        district_id: d.id,
        token_hash: hashToken(token),
        created_at: nowIso(),
        label,
        expires_at: opts.expiresAt ? new Date(opts.expiresAt).toISOString() : null,
        token_start: token.slice(PREFIX.length, PREFIX.length + SHOWN),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(trx, { action: 'settings.api-token-created', districtId: d.id, ...by, detail: { token: row.id, label, expiresAt: opts.expiresAt ?? null } });
    return { id: row.id, token };
  });
}

export async function listApiTokens(db: Db, slug: string): Promise<ApiTokenInfo[]> {
  const d = await getDistrict(db, slug);
  const now = nowIso();
  const rows = await db.kysely.selectFrom('api_tokens').selectAll().where('district_id', '=', d.id).orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    shown: r.token_start === null ? null : `${PREFIX}${r.token_start}…`,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    expired: r.expires_at !== null && r.expires_at <= now,
  }));
}

/** Revoked at once on every node: each API call looks its token up. */
export async function revokeApiToken(db: Db, slug: string, id: number, by: ChangedBy): Promise<void> {
  const d = await getDistrict(db, slug);
  await db.kysely.transaction().execute(async (trx) => {
    const res = await trx.deleteFrom('api_tokens').where('district_id', '=', d.id).where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw new LanyardError('not-found', `${slug} has no API token number ${id}: \`lanyard token list ${slug}\` shows its tokens.`);
    }
    await writeAudit(trx, { action: 'settings.api-token-revoked', districtId: d.id, ...by, detail: { token: id } });
  });
}

export async function districtForToken(db: Db, token: string): Promise<District | undefined> {
  if (!token.startsWith(PREFIX) || token.length > 100) return undefined;
  const row = await db.kysely
    .selectFrom('api_tokens')
    .select('district_id')
    .where('token_hash', '=', hashToken(token))
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowIso())]))
    .executeTakeFirst();
  return row ? getDistrictById(db, row.district_id) : undefined;
}
