import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import { afterRow, keysetPages, type ListSort } from '../db/keyset.js';
import { districtSearch, orderKey, prefixMatch, startsWithText, type DistrictSearch } from '../db/search.js';
import type { DeviceRow, DeviceState } from '../db/schema.js';
import { isUniqueViolation } from '../districts/districts.js';
import { assetTagKey } from '../assetTag/assetTag.js';
import { LanyardError } from '../shared/errors.js';
import { nowIso } from '../shared/time.js';

export type { DeviceState };
export const DEVICE_STATES: readonly DeviceState[] = ['available', 'in-repair', 'lost', 'retired'];

export interface Device {
  id: number;
  assetTag: string;
  serialNumber: string;
  model: string;
  /** What staff set. Whether it is checked out comes from the check-outs, never stored twice. */
  state: DeviceState;
  /**
   * Another, older device's tag differs from this one's only in letter case
   * (both were added before tags were compared ignoring case, migration
   * 0090): a tag typed in any case finds the older one, this one only by its
   * exact tag.
   */
  caseTwin: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface DeviceInput {
  assetTag: string;
  serialNumber?: string | undefined;
  model?: string | undefined;
}

const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  assetTag: r.asset_tag,
  serialNumber: r.serial_number,
  model: r.model,
  state: r.state,
  caseTwin: r.asset_tag_key === null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function cleanAssetTag(raw: string): string {
  const tag = raw.trim();
  if (!tag) throw new LanyardError('invalid', 'An asset tag is needed: scan the barcode on the device or type its tag.');
  // eslint-disable-next-line no-control-regex
  if (tag.length > 64 || /[\u0000-\u001f]/.test(tag)) throw new LanyardError('invalid', `"${tag.slice(0, 64)}" is not an asset tag: use the letters and digits printed on the device's label.`);
  return tag;
}

export async function createDevice(db: Db, districtId: number, input: DeviceInput): Promise<Device> {
  const assetTag = cleanAssetTag(input.assetTag);
  const now = nowIso();
  const row = await db.kysely
    .insertInto('devices')
    .values({
      district_id: districtId,
      asset_tag: assetTag,
      asset_tag_key: assetTagKey(assetTag),
      serial_number: (input.serialNumber ?? '').trim(),
      model: (input.model ?? '').trim(),
      state: 'available',
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch(async (err: unknown) => {
      if (isUniqueViolation(err)) throw await duplicateTag(db, districtId, assetTag);
      throw err;
    });
  return toDevice(row);
}

/** The refusal names the tag already there, which may differ in case from the one typed. */
async function duplicateTag(db: Db, districtId: number, assetTag: string): Promise<LanyardError> {
  const existing = await findDevice(db, districtId, assetTag);
  if (existing && existing.assetTag !== assetTag) {
    return new LanyardError(
      'conflict',
      `Device ${existing.assetTag} already exists, and asset tags do not depend on letter case: ${assetTag} is the same tag. Open ${existing.assetTag} instead, or check the label.`,
    );
  }
  return new LanyardError('conflict', `A device with asset tag ${assetTag} already exists.`);
}

/** A tag exactly as entered first (so a flagged case twin stays reachable), otherwise in any letter case. */
export async function findDevice(db: Db, districtId: number, assetTag: string): Promise<Device | undefined> {
  const tag = assetTag.trim();
  const inDistrict = db.kysely.selectFrom('devices').selectAll().where('district_id', '=', districtId);
  const row =
    (await inDistrict.where('asset_tag', '=', tag).executeTakeFirst()) ?? (await inDistrict.where('asset_tag_key', '=', assetTagKey(tag)).executeTakeFirst());
  return row && toDevice(row);
}

/** The devices whose tags differ from this one's only in letter case (see Device.caseTwin). */
export async function caseTwinsOf(db: Db, districtId: number, device: Device): Promise<Device[]> {
  const key = assetTagKey(device.assetTag);
  const rows = await db.kysely
    .selectFrom('devices')
    .selectAll()
    .where('district_id', '=', districtId)
    .where(startsWithText(db.dialect, 'asset_tag', key))
    .where('id', '!=', device.id)
    .orderBy('id')
    .limit(50)
    .execute();
  return rows.filter((r) => assetTagKey(r.asset_tag) === key).map(toDevice);
}

export async function getDevice(db: Db, districtId: number, assetTag: string): Promise<Device> {
  const d = await findDevice(db, districtId, assetTag);
  if (!d) throw new LanyardError('not-found', `No device has asset tag ${assetTag.trim()}: check the label, or add the device first.`);
  return d;
}

export interface DeviceChanges {
  serialNumber?: string | undefined;
  model?: string | undefined;
  state?: DeviceState | undefined;
}

export async function updateDevice(db: Db, districtId: number, assetTag: string, changes: DeviceChanges): Promise<Device> {
  const d = await getDevice(db, districtId, assetTag);
  if (changes.state !== undefined && !DEVICE_STATES.includes(changes.state)) {
    throw new LanyardError('invalid', `"${String(changes.state)}" is not a device state: use ${DEVICE_STATES.join(', ')}.`);
  }
  const row = await db.kysely
    .updateTable('devices')
    .set({
      serial_number: changes.serialNumber?.trim() ?? d.serialNumber,
      model: changes.model?.trim() ?? d.model,
      state: changes.state ?? d.state,
      updated_at: nowIso(),
    })
    .where('id', '=', d.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDevice(row);
}

/** The devices list sorts by asset tag only, either way: the (district_id, asset_tag) key is its one index for an order. */
export type DeviceSort = ListSort<'assetTag'>;

export interface DeviceFilter {
  search?: string | undefined;
  sort?: DeviceSort | undefined;
}

/** Counting stops here, as for people: a page of a huge district never counts all its devices. */
export const DEVICE_COUNT_LIMIT = 10_000;

async function matchingDevices(db: Db, districtId: number, opts: DeviceFilter) {
  let q = db.kysely.selectFrom('devices').where('district_id', '=', districtId);
  const s = opts.search?.trim();
  let search: DistrictSearch | undefined;
  if (s) {
    // Starts with, each column a range of its own index (migration 0060), as the people search.
    const columns = ['asset_tag', 'serial_number', 'model'].map((column) => prefixMatch(db.dialect, column, s));
    search = await districtSearch(db, 'devices', districtId, s, columns);
    q = q.where(search.where);
  }
  return { base: q, order: orderKey('asset_tag', search?.sortMatches ?? false), dir: opts.sort?.dir ?? 'asc' };
}

export async function listDevices(db: Db, districtId: number, opts: DeviceFilter & { limit: number; offset: number }) {
  return pageOf(await matchingDevices(db, districtId, opts), opts);
}

/**
 * A page of the devices a search matches and how many match in all (up to
 * DEVICE_COUNT_LIMIT; `more`: there are more), the search worked out once for both.
 */
export async function searchDevices(
  db: Db,
  districtId: number,
  opts: DeviceFilter & { limit: number; offset: number },
): Promise<{ devices: Device[]; total: number; more: boolean }> {
  const matching = await matchingDevices(db, districtId, opts);
  const [devices, count] = await Promise.all([pageOf(matching, opts), countOf(db, matching)]);
  return { devices, ...count };
}

type Matching = Awaited<ReturnType<typeof matchingDevices>>;

async function pageOf({ base, order, dir }: Matching, page: { limit: number; offset: number }): Promise<Device[]> {
  const rows = await base.selectAll().orderBy(order, dir).limit(page.limit).offset(page.offset).execute();
  return rows.map(toDevice);
}

async function countOf(db: Db, { base }: Matching): Promise<{ total: number; more: boolean }> {
  const count = await db.kysely
    .selectFrom(base.select(sql.lit(1).as('one')).limit(DEVICE_COUNT_LIMIT + 1).as('matching'))
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  const n = Number(count.n);
  return { total: Math.min(n, DEVICE_COUNT_LIMIT), more: n > DEVICE_COUNT_LIMIT };
}

/** Every device a search matches, in the list's order, a page at a time (keyset: see db/keyset.ts). */
export async function* allDevicesMatching(db: Db, districtId: number, opts: DeviceFilter, pageSize = 500): AsyncGenerator<Device[]> {
  const { base, order, dir } = await matchingDevices(db, districtId, opts);
  const read = (after: readonly unknown[] | undefined, limit: number) =>
    (after ? base.where(afterRow([order], after, dir)) : base).selectAll().orderBy(order, dir).limit(limit).execute();
  for await (const rows of keysetPages(read, (r) => [r.asset_tag], pageSize)) yield rows.map(toDevice);
}

export async function findDeviceById(db: Db, districtId: number, id: number): Promise<Device | undefined> {
  const row = await db.kysely.selectFrom('devices').selectAll().where('district_id', '=', districtId).where('id', '=', id).executeTakeFirst();
  return row && toDevice(row);
}

/** Several devices at once by id (for lists of check-outs and incidents), keyed by id. */
export async function devicesByIds(db: Db, districtId: number, ids: readonly number[]): Promise<Map<number, Device>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.kysely.selectFrom('devices').selectAll().where('district_id', '=', districtId).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, toDevice(r)]));
}
