import type { ExpressionBuilder } from 'kysely';
import { writeAudit, type ChangedBy } from '../audit/audit.js';
import type { Db } from '../db/db.js';
import type { Database } from '../db/schema.js';
import { findDeviceById, type Device } from '../devices/devices.js';
import { isUniqueViolation } from '../districts/districts.js';
import { findPersonById, fullName, type Person } from '../people/people.js';
import { LanyardError } from '../shared/errors.js';
import { isoPlusSeconds, nowIso } from '../shared/time.js';
import { toCheckout, type Checkout } from './checkouts.js';
import { findCheckout } from './history.js';

/** How long the desk's success banner offers Undo: long enough to notice a wrong scan, short enough that nothing else has happened. */
export const UNDO_SECONDS = 60;

/** What the desk just did, named in its redirect (`/desk?done=checkout:12`). */
export type DeskActionKind = 'checkout' | 'checkin';

/** A desk action read back from the database: the row, its device and person, all of this district. */
export interface DeskAction {
  kind: DeskActionKind;
  checkout: Checkout;
  device: Device;
  person: Person;
}

/** "checkout:12" → its parts; anything else is no action at all (the URL is typed by anyone). */
export function parseDeskAction(raw: string): { kind: DeskActionKind; id: number } | undefined {
  const m = /^(checkout|checkin):(\d{1,15})$/.exec(raw);
  if (!m) return undefined;
  return { kind: m[1] as DeskActionKind, id: Number(m[2]) };
}

/** A check-out row of this district with its device and person; another district's id is as unknown as a missing one. */
export async function findDeskAction(db: Db, districtId: number, kind: DeskActionKind, id: number): Promise<DeskAction | undefined> {
  const checkout = await findCheckout(db, districtId, id);
  if (!checkout) return undefined;
  const [device, person] = await Promise.all([findDeviceById(db, districtId, checkout.deviceId), findPersonById(db, districtId, checkout.personId)]);
  return device && person && { kind, checkout, device, person };
}

/**
 * Whether the row still shows what a redirect says was done (`done`) or
 * undone (`undone`): a banner read back later (the Back button, a typed URL)
 * must not announce a check-out that was since undone, or a check-in of a row
 * never checked in.
 */
export function rowShows(a: DeskAction, what: 'done' | 'undone'): boolean {
  const c = a.checkout;
  if (what === 'done') return a.kind === 'checkout' ? !c.undone : c.checkedIn !== null && !c.undone;
  return a.kind === 'checkout' ? c.undone !== null : c.checkedIn === null;
}

/** Whether an incident of the device was opened or changed at or after `since`: the device's story moved on. */
async function incidentSince(db: Db, districtId: number, deviceId: number, since: string): Promise<boolean> {
  const opened = await db.kysely
    .selectFrom('incidents')
    .select('id')
    .where('district_id', '=', districtId)
    .where('device_id', '=', deviceId)
    .where('updated_at', '>=', since)
    .executeTakeFirst();
  return opened !== undefined;
}

/** A check-out of the same device after this one (the device went out again). */
async function laterCheckout(db: Db, districtId: number, c: Checkout): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('checkouts')
    .select('id')
    .where('district_id', '=', districtId)
    .where('device_id', '=', c.deviceId)
    .where('id', '>', c.id)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Why this action can no longer be undone, as a sentence for the technician,
 * or undefined when it can. `now` is the clock (tests pass a later one).
 */
export async function undoRefusal(db: Db, districtId: number, a: DeskAction, now = nowIso()): Promise<string | undefined> {
  const tag = a.device.assetTag;
  const who = fullName(a.person);
  if (a.kind === 'checkout') {
    const c = a.checkout;
    if (c.undone) return `The check-out of ${tag} to ${who} is already undone.`;
    if (c.checkedIn) return `${tag} has been checked in since, so its check-out to ${who} can no longer be undone.`;
    if (now > isoPlusSeconds(c.checkedOutAt, UNDO_SECONDS)) {
      return `The check-out of ${tag} to ${who} was more than a minute ago, so it can no longer be undone: check ${tag} in instead.`;
    }
    if (a.device.updatedAt > c.checkedOutAt || (await incidentSince(db, districtId, a.device.id, c.checkedOutAt))) {
      return `${tag} has changed since it was checked out (its page or an incident), so the check-out can no longer be undone: check ${tag} in instead.`;
    }
    return undefined;
  }
  const c = a.checkout;
  if (c.undone) return `That was a check-out that is already undone, not a check-in.`;
  if (!c.checkedIn) return `The check-in of ${tag} is already undone: ${who} has it.`;
  if (now > isoPlusSeconds(c.checkedIn.at, UNDO_SECONDS)) {
    return `The check-in of ${tag} was more than a minute ago, so it can no longer be undone: check ${tag} out to ${who} again instead.`;
  }
  if (await laterCheckout(db, districtId, c)) return `${tag} has been checked out again since, so its check-in can no longer be undone.`;
  if (a.device.state !== 'available' || a.device.updatedAt > c.checkedIn.at || (await incidentSince(db, districtId, a.device.id, c.checkedIn.at))) {
    return `${tag} has changed since it was checked in (its page or an incident), so the check-in can no longer be undone: check ${tag} out to ${who} again instead.`;
  }
  return undefined;
}

/** When the Undo offer ends (for the banner to hide its button then). */
export const undoUntil = (a: DeskAction): string =>
  isoPlusSeconds(a.kind === 'checkout' ? a.checkout.checkedOutAt : (a.checkout.checkedIn?.at ?? a.checkout.checkedOutAt), UNDO_SECONDS);

/**
 * Takes back what the desk just did, within its minute and only if nothing
 * else has happened to the device since:
 * - a check-out is marked undone (and closed, so the device is free): the
 *   history keeps the row, labelled undone, instead of it vanishing;
 * - a check-in reopens the same check-out, as if the device never came back
 *   (the audit entry keeps when and by whom it had been checked in).
 * The updates are guarded by the row's state, so two clicks or two desks undo once.
 */
export async function undoDeskAction(
  db: Db,
  districtId: number,
  input: { kind: DeskActionKind; id: number; by: ChangedBy; now?: string },
): Promise<DeskAction> {
  const a = await findDeskAction(db, districtId, input.kind, input.id);
  if (!a) throw new LanyardError('not-found', 'That check-out or check-in is not in this district: nothing was undone.');
  const now = input.now ?? nowIso();
  const refusal = await undoRefusal(db, districtId, a, now);
  if (refusal) throw new LanyardError('conflict', refusal);
  const gone = () => new LanyardError('conflict', `${a.device.assetTag} changed at this very moment (another desk?): nothing was undone; look at its page.`);
  const audit = { districtId, actor: input.by.actor, address: input.by.address };
  const detail = { checkoutId: a.checkout.id, assetTag: a.device.assetTag, localId: a.person.localId };
  // What undoRefusal checked, checked again by the update itself: an edit or an incident that commits in
  // between (another desk, the device's page) makes the update match nothing, so nothing is undone.
  const since = a.kind === 'checkout' ? a.checkout.checkedOutAt : (a.checkout.checkedIn?.at ?? '');
  const unchangedSince = (eb: ExpressionBuilder<Database, 'checkouts'>) =>
    eb.and([
      eb.not(eb.exists(eb.selectFrom('devices').select('devices.id').where('devices.id', '=', a.device.id).where('devices.updated_at', '>', since))),
      eb.not(eb.exists(eb.selectFrom('incidents').select('incidents.id').where('incidents.device_id', '=', a.device.id).where('incidents.updated_at', '>=', since))),
    ]);
  const row = await db.kysely
    .transaction()
    .execute(async (trx) => {
      if (a.kind === 'checkout') {
        const r = await trx
          .updateTable('checkouts')
          .set({ checked_in_at: now, checked_in_by: input.by.actor, undone_at: now, undone_by: input.by.actor })
          .where('id', '=', a.checkout.id)
          .where('district_id', '=', districtId)
          .where('checked_in_at', 'is', null)
          .where(unchangedSince)
          .returningAll()
          .executeTakeFirst();
        if (!r) throw gone();
        await writeAudit(trx, { ...audit, action: 'checkout.undone', detail: { ...detail, checkedOutAt: a.checkout.checkedOutAt } });
        return r;
      }
      const r = await trx
        .updateTable('checkouts')
        .set({ checked_in_at: null, checked_in_by: null })
        .where('id', '=', a.checkout.id)
        .where('district_id', '=', districtId)
        .where('checked_in_at', '=', a.checkout.checkedIn?.at ?? '')
        .where('undone_at', 'is', null)
        .where(unchangedSince)
        .returningAll()
        .executeTakeFirst();
      if (!r) throw gone();
      await writeAudit(trx, { ...audit, action: 'checkin.undone', detail: { ...detail, checkedInAt: a.checkout.checkedIn?.at, checkedInBy: a.checkout.checkedIn?.by } });
      return r;
    })
    .catch((err: unknown) => {
      // Reopening meets the one-open-check-out index when the device went out again in between.
      if (isUniqueViolation(err)) throw gone();
      throw err;
    });
  return { ...a, checkout: toCheckout(row) };
}
