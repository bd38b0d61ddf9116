import { parse } from 'csv-parse/sync';
import type { Db } from '../db/db.js';
import { isLanyardError, LanyardError } from '../shared/errors.js';
import { createDevice } from './devices.js';

export interface BulkResult {
  added: number;
  /** Lines not added, with why, numbered as in the file (header is line 1). */
  skipped: Array<{ line: number; reason: string }>;
}

const MAX_ROWS = 5000;
const norm = (h: string) => h.toLowerCase().replace(/[^a-z]/g, '');

/**
 * Adds devices from a CSV with columns asset tag, serial number, model (a
 * header row naming them is optional; without one the columns are taken in
 * that order). Each line stands alone: a duplicate tag is reported, not fatal.
 */
export async function addDevicesFromCsv(db: Db, districtId: number, text: string): Promise<BulkResult> {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (err) {
    throw new LanyardError('invalid', `This is not a CSV Lanyard can read (${(err as Error).message}): save it as CSV (comma separated) and try again.`);
  }
  if (rows.length > MAX_ROWS + 1) throw new LanyardError('too-large', `That is ${rows.length} lines: add at most ${MAX_ROWS} devices at a time.`);
  let cols = { tag: 0, serial: 1, model: 2 };
  let first = 0;
  const header = (rows[0] ?? []).map(norm);
  if (header.some((h) => h.includes('asset') || h === 'tag')) {
    const find = (pred: (h: string) => boolean) => header.findIndex(pred);
    cols = { tag: find((h) => h.includes('asset') || h === 'tag'), serial: find((h) => h.includes('serial')), model: find((h) => h.includes('model')) };
    first = 1;
  }
  const result: BulkResult = { added: 0, skipped: [] };
  for (let i = first; i < rows.length; i++) {
    const r = rows[i]!;
    const at = (c: number) => (c >= 0 ? (r[c] ?? '') : '');
    try {
      await createDevice(db, districtId, { assetTag: at(cols.tag), serialNumber: at(cols.serial), model: at(cols.model) });
      result.added++;
    } catch (err) {
      if (!isLanyardError(err)) throw err;
      result.skipped.push({ line: i + 1, reason: err.message });
    }
  }
  return result;
}
