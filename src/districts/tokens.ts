import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/db.js';
import { nowIso } from '../shared/time.js';
import { getDistrict, getDistrictById, type District } from './districts.js';

const PREFIX = 'lny_';
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A bearer token for the HTTP API. Only its hash is stored: it is shown once. */
export async function createApiToken(db: Db, slug: string): Promise<string> {
  const d = await getDistrict(db, slug);
  const token = PREFIX + randomBytes(32).toString('base64url');
  await db.kysely.insertInto('api_tokens').values({ district_id: d.id, token_hash: hashToken(token), created_at: nowIso() }).execute();
  return token;
}

export async function districtForToken(db: Db, token: string): Promise<District | undefined> {
  if (!token.startsWith(PREFIX) || token.length > 100) return undefined;
  const row = await db.kysely.selectFrom('api_tokens').select('district_id').where('token_hash', '=', hashToken(token)).executeTakeFirst();
  return row ? getDistrictById(db, row.district_id) : undefined;
}
