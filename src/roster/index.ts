/**
 * Rosters: the files a district sends about its people (Lanyard's own CSV,
 * Clever, OneRoster 1.1 and 1.2, loose or zipped) and the import that brings
 * the district's people in line with them. This file is the module's one
 * public face: nothing outside src/roster/ imports anything else in it.
 *
 * Inside, in the order a file travels:
 * - read/      bytes to CSV records: where the bytes come from and OneRoster
 *              zips (input.ts), encoding, separator and header (csv.ts),
 *              records with the line each starts on (splitter.ts);
 * - formats/   records to rows: which format a file is (parse.ts), files of
 *              one role each, native and Clever (columns.ts), OneRoster
 *              (oneroster.ts), header names and grades (fields.ts);
 * - rows.ts    what a file says whatever its format, and why a whole file is refused;
 * - import/    planning against the district (plan.ts), applying and recording
 *              (importer.ts, history.ts), the data/ folder's intake (intake.ts),
 *              the daily import (schedule.ts) and the district's settings (settings.ts).
 */

// Reading a file: pure, nothing is written.
export { bufferSource, fileInput, type RosterInput } from './read/input.js';
export { DEFAULT_PARSE_OPTIONS, parseRoster, type ParseOptions } from './formats/parse.js';
export { isRosterRejection, RosterRejection, type ParsedRoster } from './rows.js';

// Importing: planned, applied and recorded.
export { deactivateAnyway, importRoster, listSchools, upsertSchools, type ImportResult } from './import/importer.js';
export { countsSentence } from './import/plan.js';
export { findImport, listImports, type ImportRecord } from './import/history.js';
export { createRosterHandler } from './import/intake.js';
export { getDailyImport, runDueImports, setDailyImport, startDailyImports, type ScheduleOptions } from './import/schedule.js';
export { DEFAULT_ROSTER_SETTINGS, getRosterSettings, saveRosterSettings, type RosterSettings } from './import/settings.js';
export { changeRosterSettings, type RosterSettingsChange } from './import/settingsChange.js';
