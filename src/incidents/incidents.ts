import { sql, type Kysely } from 'kysely';
import { afterRow, keysetPages, type ListSort } from '../db/keyset.js';
import type { Db } from '../db/db.js';
import type { Database, IncidentNoteRow, IncidentRow, IncidentStatus, IncidentType } from '../db/schema.js';
import { getDevice } from '../devices/devices.js';
import { personForLocalId } from '../checkouts/checkouts.js';
import { LanyardError } from '../shared/errors.js';
import { nowIso } from '../shared/time.js';

export type { IncidentStatus, IncidentType };
export const INCIDENT_TYPES: readonly IncidentType[] = ['damage', 'loss', 'theft', 'other'];
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['open', 'in-repair', 'waiting-for-pickup', 'lost', 'closed'];

export const isIncidentType = (s: unknown): s is IncidentType => (INCIDENT_TYPES as readonly unknown[]).includes(s);
export const isIncidentStatus = (s: unknown): s is IncidentStatus => (INCIDENT_STATUSES as readonly unknown[]).includes(s);

/** Something that happened to a device while a person had it. */
export interface Incident {
  id: number;
  deviceId: number;
  personId: number;
  type: IncidentType;
  status: IncidentStatus;
  description: string;
  openedAt: string;
  openedBy: string;
  updatedAt: string;
}

/** One entry of an incident's timeline: a note, a status change, or both. */
export interface IncidentNote {
  id: number;
  at: string;
  author: string;
  status: IncidentStatus | null;
  body: string;
}

const toIncident = (r: IncidentRow): Incident => ({
  id: r.id,
  deviceId: r.device_id,
  personId: r.person_id,
  type: r.type,
  status: r.status,
  description: r.description,
  openedAt: r.opened_at,
  openedBy: r.opened_by,
  updatedAt: r.updated_at,
});

const toNote = (r: IncidentNoteRow): IncidentNote => ({ id: r.id, at: r.at, author: r.author, status: r.status, body: r.body });

export interface OpenIncidentInput {
  assetTag: string;
  localId: string;
  type: string;
  description: string;
  by: string;
}

const MAX_TEXT = 4000;

function cleanText(raw: string, what: string): string {
  const text = raw.trim();
  if (text.length > MAX_TEXT) throw new LanyardError('invalid', `The ${what} is too long (${text.length} characters): keep it under ${MAX_TEXT}.`);
  return text;
}

/** Opens an incident for a device and its person; the person may be inactive (a leaver's lost laptop). */
export async function openIncident(db: Db, districtId: number, input: OpenIncidentInput): Promise<Incident> {
  if (!isIncidentType(input.type)) throw new LanyardError('invalid', `"${input.type}" is not an incident type: use ${INCIDENT_TYPES.join(', ')}.`);
  const device = await getDevice(db, districtId, input.assetTag);
  const person = await personForLocalId(db, districtId, input.localId);
  const description = cleanText(input.description, 'description');
  const now = nowIso();
  const row = await db.kysely
    .insertInto('incidents')
    .values({ district_id: districtId, device_id: device.id, person_id: person.id, type: input.type, status: 'open', description, opened_at: now, opened_by: input.by, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toIncident(row);
}

/**
 * Who held the device when the incident was opened, if not the incident's
 * person: a warning, never a refusal, since a borrowed or swapped device is
 * exactly what an incident records. Undefined when the person held it.
 */
export async function holderWhenOpened(db: Db, districtId: number, incident: Incident): Promise<{ heldBy: number | null } | undefined> {
  const row = await db.kysely
    .selectFrom('checkouts')
    .select('person_id')
    .where('district_id', '=', districtId)
    .where('device_id', '=', incident.deviceId)
    .where('checked_out_at', '<=', incident.openedAt)
    .where((eb) => eb.or([eb('checked_in_at', 'is', null), eb('checked_in_at', '>=', incident.openedAt)]))
    .orderBy('checked_out_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row?.person_id === incident.personId) return undefined;
  return { heldBy: row?.person_id ?? null };
}

/** Another district's incident is as unknown as one that never existed. */
export async function getIncident(db: Db, districtId: number, id: number): Promise<Incident> {
  const row = Number.isSafeInteger(id)
    ? await db.kysely.selectFrom('incidents').selectAll().where('district_id', '=', districtId).where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row) throw new LanyardError('not-found', `There is no incident ${id} in this district.`);
  return toIncident(row);
}

export async function incidentTimeline(db: Db, districtId: number, id: number): Promise<IncidentNote[]> {
  const incident = await getIncident(db, districtId, id);
  const rows = await db.kysely.selectFrom('incident_notes').selectAll().where('incident_id', '=', incident.id).orderBy('id').execute();
  return rows.map(toNote);
}

/**
 * An incident's status says where the device is: at the repair shop or lost,
 * it is with no one (so the person's check-out ends, and a loaner can go out
 * to them) and cannot be checked out; back from repair, it is available
 * again. Lost stays lost when the incident closes: a found device is set
 * available on its own page, deliberately.
 */
async function moveDevice(trx: Kysely<Database>, deviceId: number, status: IncidentStatus, change: { at: string; by: string }): Promise<void> {
  if (status === 'in-repair' || status === 'lost') {
    await trx.updateTable('checkouts').set({ checked_in_at: change.at, checked_in_by: change.by }).where('device_id', '=', deviceId).where('checked_in_at', 'is', null).execute();
    await trx.updateTable('devices').set({ state: status, updated_at: change.at }).where('id', '=', deviceId).execute();
  } else if (status === 'waiting-for-pickup' || status === 'closed') {
    await trx.updateTable('devices').set({ state: 'available', updated_at: change.at }).where('id', '=', deviceId).where('state', '=', 'in-repair').execute();
  }
}

/** Adds a note, changes the status, or both, as one timeline entry; the device moves with it (moveDevice). */
export async function updateIncident(
  db: Db,
  districtId: number,
  id: number,
  change: { status?: string | undefined; note?: string | undefined; by: string },
): Promise<Incident> {
  const incident = await getIncident(db, districtId, id);
  const body = cleanText(change.note ?? '', 'note');
  let status: IncidentStatus | null = null;
  if (change.status !== undefined && change.status !== '' && change.status !== incident.status) {
    if (!isIncidentStatus(change.status)) throw new LanyardError('invalid', `"${change.status}" is not an incident status: use ${INCIDENT_STATUSES.join(', ')}.`);
    status = change.status;
  }
  if (!status && !body) throw new LanyardError('invalid', 'Write a note or choose a new status.');
  const now = nowIso();
  return db.kysely.transaction().execute(async (trx) => {
    await trx.insertInto('incident_notes').values({ incident_id: incident.id, at: now, author: change.by, status, body }).execute();
    if (status) await moveDevice(trx, incident.deviceId, status, { at: now, by: change.by });
    const row = await trx
      .updateTable('incidents')
      .set({ status: status ?? incident.status, updated_at: now })
      .where('id', '=', incident.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toIncident(row);
  });
}

/** Incidents sort by when they were opened, newest first unless asked: incidents_district holds that order per status. */
export type IncidentSort = ListSort<'opened'>;

export interface IncidentFilter {
  status?: IncidentStatus | undefined;
  type?: IncidentType | undefined;
  personId?: number | undefined;
  deviceId?: number | undefined;
  sort?: IncidentSort | undefined;
}

export interface IncidentQuery extends IncidentFilter {
  limit: number;
  offset: number;
}

function matchingIncidents(db: Db, districtId: number, q: IncidentFilter) {
  let base = db.kysely.selectFrom('incidents').where('district_id', '=', districtId);
  if (q.status) base = base.where('status', '=', q.status);
  if (q.type) base = base.where('type', '=', q.type);
  if (q.personId !== undefined) base = base.where('person_id', '=', q.personId);
  if (q.deviceId !== undefined) base = base.where('device_id', '=', q.deviceId);
  return { base, dir: q.sort?.dir ?? 'desc' };
}

/** Newest first unless sorted otherwise; the id breaks ties of the same moment. */
export async function listIncidents(db: Db, districtId: number, q: IncidentQuery): Promise<{ incidents: Incident[]; total: number }> {
  const { base, dir } = matchingIncidents(db, districtId, q);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('opened_at', dir).orderBy('id', dir).limit(q.limit).offset(q.offset).execute(),
    base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { incidents: rows.map(toIncident), total: Number(count.n) };
}

/** Every incident a filter matches, in the list's order, a page at a time (keyset: see db/keyset.ts). */
export async function* allIncidentsMatching(db: Db, districtId: number, q: IncidentFilter, pageSize = 500): AsyncGenerator<Incident[]> {
  const { base, dir } = matchingIncidents(db, districtId, q);
  const columns = [sql.ref('opened_at'), sql.ref('id')];
  const read = (after: readonly unknown[] | undefined, limit: number) =>
    (after ? base.where(afterRow(columns, after, dir)) : base).selectAll().orderBy('opened_at', dir).orderBy('id', dir).limit(limit).execute();
  for await (const rows of keysetPages(read, (r) => [r.opened_at, r.id], pageSize)) yield rows.map(toIncident);
}

/** A device's incidents that are not closed, newest first: what the desk warns of before a device changes hands. */
export async function openIncidentsOfDevice(db: Db, districtId: number, deviceId: number): Promise<Incident[]> {
  const rows = await db.kysely
    .selectFrom('incidents')
    .selectAll()
    .where('district_id', '=', districtId)
    .where('device_id', '=', deviceId)
    .where('status', '!=', 'closed')
    .orderBy('opened_at', 'desc')
    .orderBy('id', 'desc')
    .limit(5)
    .execute();
  return rows.map(toIncident);
}
