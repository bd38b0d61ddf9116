import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Db, Dialect } from './db.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_staff_devices.js';
import * as m0003 from './migrations/0003_people_intake.js';
import * as m0005 from './migrations/0005_photos.js';
import * as m0004 from './migrations/0004_rosters.js';
import * as m0006 from './migrations/0006_checkouts_incidents.js';
import * as m0007 from './migrations/0007_roster_schedule.js';
import * as m0008 from './migrations/0008_roster_held.js';
import * as m0009 from './migrations/0009_people_indexes.js';
import * as m0010 from './migrations/0010_intake_fair_queue.js';
import * as m0011 from './migrations/0011_api_token_lifecycle.js';
import * as m0012 from './migrations/0012_sftp_credential_version.js';
import * as m0013 from './migrations/0013_nfc_file_names.js';
import * as m0060 from './migrations/0060_search_prefix_indexes.js';
import * as m0061 from './migrations/0061_people_filter_indexes.js';
import * as m0062 from './migrations/0062_delivery_emails.js';
import * as m0080 from './migrations/0080_deliveries.js';
import * as m0081 from './migrations/0081_photo_quality.js';
import * as m0082 from './migrations/0082_webhooks.js';
import * as m0070 from './migrations/0070_blob_guards.js';
import * as m0071 from './migrations/0071_erasures.js';
import * as m0072 from './migrations/0072_retention.js';
import * as m0090 from './migrations/0090_asset_tag_any_case.js';
import * as m0100 from './migrations/0100_district_quotas.js';
import * as m0110 from './migrations/0110_staff_one_time_passwords.js';
import * as m0111 from './migrations/0111_web_flashes.js';
import * as m0112 from './migrations/0112_checkout_undo.js';
import * as m0113 from './migrations/0113_delivery_alive.js';
import * as m0114 from './migrations/0114_people_filters_with_active.js';
import * as m0115 from './migrations/0115_people_name_covers_pages.js';
import * as m0116 from './migrations/0116_people_name_ignores_case.js';

/** A migration sees the dialect, since identity columns differ between SQLite and PostgreSQL. */
export interface LanyardMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

const migrations: Record<string, LanyardMigration> = {
  '0001_foundation': m0001,
  '0002_staff_devices': m0002,
  '0003_people_intake': m0003,
  '0005_photos': m0005,
  '0004_rosters': m0004,
  '0006_checkouts_incidents': m0006,
  '0007_roster_schedule': m0007,
  '0008_roster_held': m0008,
  '0009_people_indexes': m0009,
  '0010_intake_fair_queue': m0010,
  '0011_api_token_lifecycle': m0011,
  '0012_sftp_credential_version': m0012,
  '0013_nfc_file_names': m0013,
  '0060_search_prefix_indexes': m0060,
  '0061_people_filter_indexes': m0061,
  '0062_delivery_emails': m0062,
  '0080_deliveries': m0080,
  '0081_photo_quality': m0081,
  '0082_webhooks': m0082,
  '0070_blob_guards': m0070,
  '0071_erasures': m0071,
  '0072_retention': m0072,
  '0090_asset_tag_any_case': m0090,
  '0100_district_quotas': m0100,
  '0110_staff_one_time_passwords': m0110,
  '0111_web_flashes': m0111,
  '0112_checkout_undo': m0112,
  '0113_delivery_alive': m0113,
  '0114_people_filters_with_active': m0114,
  '0115_people_name_covers_pages': m0115,
  '0116_people_name_ignores_case': m0116,
};

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function migrateToLatest(db: Db): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(migrations).map(([name, m]): [string, Migration] => [name, { up: (k) => m.up(k, db.dialect) }]),
      ),
  };
  // Unordered: migrations written in parallel branches may land out of number order.
  const migrator = new Migrator({ db: db.kysely, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`The database at ${db.description} could not be updated (migration ${failed}): ${String(error)}`, {
      cause: error,
    });
  }
}
