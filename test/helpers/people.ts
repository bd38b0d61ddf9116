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
