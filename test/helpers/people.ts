import { openDb } from '../../src/db/db.js';
import { looseLocalIdKey } from '../../src/localId/localId.js';
import type { Workspace } from './lanyard.js';

export interface TestPerson {
  localId: string;
  firstName: string;
  lastName: string;
  role?: 'student' | 'staff';
  school?: string;
  grade?: string;
  email?: string;
  active?: boolean;
}

/** Puts people straight into a workspace's database, as a roster import would have. */
export async function insertPeople(ws: Workspace, slug: string, people: TestPerson[]): Promise<void> {
  const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
  try {
    const district = await db.kysely.selectFrom('districts').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    await db.kysely
      .insertInto('people')
      .values(
        people.map((p) => ({
          district_id: district.id,
          local_id: p.localId,
          local_id_key: looseLocalIdKey(p.localId),
          first_name: p.firstName,
          last_name: p.lastName,
          role: p.role ?? 'student',
          school: p.school ?? null,
          grade: p.grade ?? null,
          email: p.email ?? null,
          state_id: null,
          active: p.active === false ? 0 : 1,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  } finally {
    await db.close();
  }
}

/**
 * Makes a photo current for a person, as the photo intake records it (used
 * where a test is about pages showing faces, not about the intake itself).
 */
export async function givePhoto(ws: Workspace, slug: string, localId: string, urlKey: string): Promise<void> {
  const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
  try {
    const now = new Date().toISOString();
    const district = await db.kysely.selectFrom('districts').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
    const person = await db.kysely.selectFrom('people').select('id').where('district_id', '=', district.id).where('local_id', '=', localId).executeTakeFirstOrThrow();
    const v = await db.kysely
      .insertInto('photo_versions')
      .values({ district_id: district.id, person_id: person.id, url_key: urlKey, original_key: 'o', original_sha256: `sha-${urlKey}`, original_size: 1, profile_key: 'p', thumb_key: 't', file: `${localId}.jpg`, event_id: null, match_rule: 'exact', created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely.insertInto('person_photos').values({ person_id: person.id, district_id: district.id, version_id: v.id, updated_at: now }).execute();
  } finally {
    await db.close();
  }
}
