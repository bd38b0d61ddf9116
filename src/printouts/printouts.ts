import type { Checkout } from '../checkouts/checkouts.js';
import { findCheckout } from '../checkouts/history.js';
import type { Db } from '../db/db.js';
import { findDeviceById, type Device } from '../devices/devices.js';
import { getIncident, holderWhenOpened, type Incident } from '../incidents/incidents.js';
import { findPersonById, type Person } from '../people/people.js';
import { isLanyardError } from '../shared/errors.js';

/**
 * What the printed papers hold: a check-out receipt the student (or parent)
 * signs when a device goes home, and a damage form for an incident. Read
 * only; nothing here changes state.
 */

export interface CheckoutReceipt {
  checkout: Checkout;
  device: Device | undefined;
  person: Person | undefined;
}

/** A check-out of this district by id, with its device and person; undefined when there is no such check-out here. */
export async function checkoutReceipt(db: Db, districtId: number, checkoutId: number): Promise<CheckoutReceipt | undefined> {
  const checkout = await findCheckout(db, districtId, checkoutId);
  if (!checkout) return undefined;
  const [device, person] = await Promise.all([findDeviceById(db, districtId, checkout.deviceId), findPersonById(db, districtId, checkout.personId)]);
  return { checkout, device, person };
}

export interface DamageForm {
  incident: Incident;
  device: Device | undefined;
  person: Person | undefined;
  /** Who held the device when the incident was opened, when that was someone else (null: nobody). */
  heldBy: Person | null | undefined;
}

/** An incident of this district with its device and person, for its printed form; undefined when there is no such incident here. */
export async function damageForm(db: Db, districtId: number, incidentId: number): Promise<DamageForm | undefined> {
  let incident: Incident;
  try {
    incident = await getIncident(db, districtId, incidentId);
  } catch (err) {
    if (isLanyardError(err) && err.kind === 'not-found') return undefined;
    throw err;
  }
  const [device, person, holder] = await Promise.all([
    findDeviceById(db, districtId, incident.deviceId),
    findPersonById(db, districtId, incident.personId),
    holderWhenOpened(db, districtId, incident),
  ]);
  const heldBy = holder === undefined ? undefined : holder.heldBy === null ? null : ((await findPersonById(db, districtId, holder.heldBy)) ?? null);
  return { incident, device, person, heldBy };
}
