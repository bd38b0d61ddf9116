import type { Checkout } from '../checkouts/checkouts.js';
import { openCheckoutsForDevices } from '../checkouts/checkouts.js';
import { allCheckoutsOfDevice } from '../checkouts/history.js';
import type { Db } from '../db/db.js';
import { allDevicesMatching, devicesByIds, type Device, type DeviceFilter } from '../devices/devices.js';
import { allIncidentsMatching, type Incident, type IncidentFilter } from '../incidents/incidents.js';
import { allPeopleMatching, peopleByIds, type PeopleFilter, type Person } from '../people/people.js';

/**
 * The lists as their CSV downloads read them: every row the page's filters
 * match, a page at a time with what each row shows beside it (who has a
 * device, whose an incident is), fetched per page and never per row. Only
 * one page is held at a time, so a 600,000-person district streams in the
 * memory of a few hundred rows.
 */

export const peopleForExport = (db: Db, districtId: number, filter: PeopleFilter): AsyncGenerator<Person[]> => allPeopleMatching(db, districtId, filter);

export interface DeviceExportPage {
  devices: Device[];
  /** Open check-outs by device id, and their people by id. */
  out: ReadonlyMap<number, Checkout>;
  people: ReadonlyMap<number, Person>;
}

export async function* devicesForExport(db: Db, districtId: number, filter: DeviceFilter): AsyncGenerator<DeviceExportPage> {
  for await (const devices of allDevicesMatching(db, districtId, filter)) {
    const out = await openCheckoutsForDevices(db, districtId, devices.map((d) => d.id));
    const people = await peopleByIds(db, districtId, [...out.values()].map((c) => c.personId));
    yield { devices, out, people };
  }
}

export interface IncidentExportPage {
  incidents: Incident[];
  people: ReadonlyMap<number, Person>;
  devices: ReadonlyMap<number, Device>;
}

export async function* incidentsForExport(db: Db, districtId: number, filter: IncidentFilter): AsyncGenerator<IncidentExportPage> {
  for await (const incidents of allIncidentsMatching(db, districtId, filter)) {
    const [people, devices] = await Promise.all([
      peopleByIds(db, districtId, incidents.map((i) => i.personId)),
      devicesByIds(db, districtId, incidents.map((i) => i.deviceId)),
    ]);
    yield { incidents, people, devices };
  }
}

/** One line of a device's history: a check-out or an incident, with its person. */
export type HistoryEntry = { kind: 'checkout'; checkout: Checkout; person: Person | undefined } | { kind: 'incident'; incident: Incident; person: Person | undefined };

/** A device's whole history: its check-outs, newest first, then its incidents, newest first. */
export async function* deviceHistoryForExport(db: Db, districtId: number, device: Device): AsyncGenerator<HistoryEntry[]> {
  for await (const checkouts of allCheckoutsOfDevice(db, districtId, device.id)) {
    const people = await peopleByIds(db, districtId, checkouts.map((c) => c.personId));
    yield checkouts.map((checkout) => ({ kind: 'checkout', checkout, person: people.get(checkout.personId) }));
  }
  for await (const incidents of allIncidentsMatching(db, districtId, { deviceId: device.id })) {
    const people = await peopleByIds(db, districtId, incidents.map((i) => i.personId));
    yield incidents.map((incident) => ({ kind: 'incident', incident, person: people.get(incident.personId) }));
  }
}

/** "springfield-people-2026-12-07.csv": the district, the list and the day, so downloads sort and never overwrite each other's meaning. */
export function csvFileName(slug: string, list: string, at: Date = new Date()): string {
  return `${slug}-${list}-${at.toISOString().slice(0, 10)}.csv`;
}
