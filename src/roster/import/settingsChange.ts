import { writeAudit, type ChangedBy } from '../../audit/audit.js';
import { inTransaction, type Db } from '../../db/db.js';
import { getDailyImport, setDailyImport } from './schedule.js';
import { getRosterSettings, saveRosterSettings, type RosterSettings } from './settings.js';

export interface RosterSettingsChange {
  /** The settings as they should be from now on (all of them); undefined leaves them as they are. */
  settings?: RosterSettings | undefined;
  /** The daily import time (HH:MM, UTC), null for none; undefined leaves it as it is. */
  dailyAt?: string | null | undefined;
}

/**
 * Changes how a district's roster files are read and when they are imported
 * again, in one transaction with one audit entry saying what they are now:
 * the same entry whether the Rosters desk or `lanyard roster settings` asked.
 */
export async function changeRosterSettings(
  db: Db,
  districtId: number,
  change: RosterSettingsChange,
  by: ChangedBy,
): Promise<{ settings: RosterSettings; dailyImport: string | null }> {
  return inTransaction(db, async (t) => {
    const dailyImport = change.dailyAt === undefined ? await getDailyImport(t, districtId) : await setDailyImport(t, districtId, change.dailyAt);
    const settings = change.settings ? await saveRosterSettings(t, districtId, change.settings) : await getRosterSettings(t, districtId);
    if (change.settings || change.dailyAt !== undefined) {
      await writeAudit(t.kysely, { action: 'settings.roster', districtId, ...by, detail: { settings, dailyImport } });
    }
    return { settings, dailyImport };
  });
}
