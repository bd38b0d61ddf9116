import type { Db } from '../db/db.js';
import type { CheckoutRow } from '../db/schema.js';
import { findDevice, getDevice, updateDevice, type Device, type DeviceChanges } from '../devices/devices.js';
import { isUniqueViolation } from '../districts/districts.js';
import { findPersonById, fullName, matchPerson, type Person } from '../people/people.js';
import { LanyardError } from '../shared/errors.js';
import { nowIso } from '../shared/time.js';

/** A device handed to a person: open until it is checked back in. */
export interface Checkout {
  id: number;
  deviceId: number;
  personId: number;
  checkedOutAt: string;
  checkedOutBy: string;
  checkedIn: { at: string; by: string } | null;
  /** Undone at the desk within its minute (checkouts/undo.ts): it never really went out. */
  undone: { at: string; by: string } | null;
}

export const toCheckout = (r: CheckoutRow): Checkout => ({
  id: r.id,
  deviceId: r.device_id,
  personId: r.person_id,
  checkedOutAt: r.checked_out_at,
  checkedOutBy: r.checked_out_by,
  checkedIn: r.checked_in_at ? { at: r.checked_in_at, by: r.checked_in_by ?? '' } : null,
  undone: r.undone_at ? { at: r.undone_at, by: r.undone_by ?? '' } : null,
});

/**
 * The person a Local ID names, as the desk and the API need them: exact ID
 * first, then unique ignoring case and leading zeros (a scanned card may drop
 * zeros). Unknown and ambiguous IDs are errors a technician can act on.
 */
export async function personForLocalId(db: Db, districtId: number, localId: string): Promise<Person> {
  const id = localId.trim();
  if (!id) throw new LanyardError('invalid', 'A Local ID is needed: scan the ID card or type the number on it.');
  const m = await matchPerson(db, districtId, id);
  if (m.kind === 'matched') return m.person;
  if (m.kind === 'ambiguous') {
    throw new LanyardError('conflict', `Local ID ${id} could be ${m.candidates.map((p) => `${fullName(p)} (${p.localId})`).join(' or ')}: type the Local ID exactly as on the card.`);
  }
  throw new LanyardError('not-found', `No one has Local ID ${id}: check the ID card, or import the latest roster first.`);
}

export async function openCheckoutForDevice(db: Db, districtId: number, deviceId: number): Promise<Checkout | undefined> {
  const row = await db.kysely
    .selectFrom('checkouts')
    .selectAll()
    .where('district_id', '=', districtId)
    .where('device_id', '=', deviceId)
    .where('checked_in_at', 'is', null)
    .executeTakeFirst();
  return row && toCheckout(row);
}

/** Who has a device now: the open check-out with its person (the contract's checkedOutTo). */
export async function deviceHolder(db: Db, districtId: number, deviceId: number): Promise<{ checkout: Checkout; person: Person } | undefined> {
  const c = await openCheckoutForDevice(db, districtId, deviceId);
  if (!c) return undefined;
  const person = await findPersonById(db, districtId, c.personId);
  return person && { checkout: c, person };
}

/** Open check-outs of many devices at once, keyed by device id (the devices list). */
export async function openCheckoutsForDevices(db: Db, districtId: number, deviceIds: readonly number[]): Promise<Map<number, Checkout>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom('checkouts')
    .selectAll()
    .where('district_id', '=', districtId)
    .where('device_id', 'in', [...new Set(deviceIds)])
    .where('checked_in_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.device_id, toCheckout(r)]));
}

export interface CheckOutInput {
  assetTag: string;
  localId: string;
  /** Staff email, or "api". */
  by: string;
}

/**
 * Hands a device to a person. Refused, with the reason, for a device that is
 * already out, retired, lost or in repair, and for an inactive person. The
 * partial unique index settles two desks scanning the same device at once.
 */
export async function checkOut(db: Db, districtId: number, input: CheckOutInput): Promise<{ checkout: Checkout; device: Device; person: Person }> {
  const device = await getDevice(db, districtId, input.assetTag);
  const person = await personForLocalId(db, districtId, input.localId);
  const alreadyOut = async (): Promise<LanyardError> => {
    const holder = await deviceHolder(db, districtId, device.id);
    const who = holder ? `${fullName(holder.person)} (${holder.person.localId}) since ${holder.checkout.checkedOutAt.slice(0, 10)}` : 'someone';
    return new LanyardError('conflict', `Device ${device.assetTag} is already checked out to ${who}: check it in first.`);
  };
  if (await openCheckoutForDevice(db, districtId, device.id)) throw await alreadyOut();
  if (device.state !== 'available') {
    throw new LanyardError('conflict', `Device ${device.assetTag} is marked ${device.state}: set it back to available on its page before checking it out.`);
  }
  if (!person.active) {
    throw new LanyardError('conflict', `${fullName(person)} (${person.localId}) is inactive in the roster: devices go only to active students and staff.`);
  }
  const row = await db.kysely
    .insertInto('checkouts')
    .values({ district_id: districtId, device_id: device.id, person_id: person.id, checked_out_at: nowIso(), checked_out_by: input.by, checked_in_at: null, checked_in_by: null, undone_at: null, undone_by: null })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch(async (err: unknown) => {
      if (isUniqueViolation(err)) throw await alreadyOut();
      throw err;
    });
  return { checkout: toCheckout(row), device, person };
}

/** Takes a device back, by its asset tag alone. */
export async function checkIn(db: Db, districtId: number, input: { assetTag: string; by: string }): Promise<{ checkout: Checkout; device: Device; person: Person | undefined }> {
  const device = await getDevice(db, districtId, input.assetTag);
  const row = await db.kysely
    .updateTable('checkouts')
    .set({ checked_in_at: nowIso(), checked_in_by: input.by })
    .where('district_id', '=', districtId)
    .where('device_id', '=', device.id)
    .where('checked_in_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new LanyardError('conflict', `Device ${device.assetTag} is not checked out, so there is nothing to check in.`);
  return { checkout: toCheckout(row), device, person: await findPersonById(db, districtId, row.person_id) };
}

/** A device's check-outs, newest first. */
export async function checkoutsOfDevice(db: Db, districtId: number, deviceId: number, limit = 100): Promise<Checkout[]> {
  const rows = await db.kysely
    .selectFrom('checkouts')
    .selectAll()
    .where('district_id', '=', districtId)
    .where('device_id', '=', deviceId)
    .orderBy('checked_out_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toCheckout);
}

/** A person's check-outs (open ones first, then newest first). */
export async function checkoutsOfPerson(db: Db, districtId: number, personId: number, limit = 100): Promise<Checkout[]> {
  const rows = await db.kysely
    .selectFrom('checkouts')
    .selectAll()
    .where('district_id', '=', districtId)
    .where('person_id', '=', personId)
    .orderBy('checked_out_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  const all = rows.map(toCheckout);
  return [...all.filter((c) => !c.checkedIn), ...all.filter((c) => c.checkedIn)];
}

/** The desk's recent activity: latest check-outs and check-ins. */
export async function recentCheckouts(db: Db, districtId: number, limit = 10): Promise<Checkout[]> {
  const rows = await db.kysely.selectFrom('checkouts').selectAll().where('district_id', '=', districtId).orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toCheckout);
}

/**
 * Edits a device on its page. Writing off (retired, lost) a device someone
 * still has is refused: the desk checks it in first, or an incident records the loss.
 */
export async function editDevice(db: Db, districtId: number, assetTag: string, changes: DeviceChanges): Promise<Device> {
  if (changes.state === 'retired' || changes.state === 'lost') {
    const d = await findDevice(db, districtId, assetTag);
    const holder = d && (await deviceHolder(db, districtId, d.id));
    if (holder) throw new LanyardError('conflict', `${d.assetTag} is checked out to ${fullName(holder.person)}: check it in first.`);
  }
  return updateDevice(db, districtId, assetTag, changes);
}
