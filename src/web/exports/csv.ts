import type { DeviceExportPage, HistoryEntry, IncidentExportPage } from '../../exports/exports.js';
import { fullName } from '../../people/name.js';
import type { Person } from '../../people/people.js';
import { DEVICE_STATE_LABELS, INCIDENT_STATUS_LABELS, INCIDENT_TYPE_LABELS, PERSON_ROLE_LABELS } from '../views/labels.js';
import { schoolName } from '../views/format.js';

/**
 * The CSV downloads' columns, named as the pages name them. Times are ISO
 * 8601 in UTC (with their Z), which every spreadsheet reads as a date.
 * Cells are neutralised against formulas by shared/csv.ts.
 */

type Cell = string | number | null;

export const PEOPLE_HEADER = ['Local ID', 'First name', 'Last name', 'Role', 'School', 'Grade', 'Email', 'Status'];

export const peopleLines =
  (schoolNames: ReadonlyMap<string, string | null>) =>
  (people: Person[]): Cell[][] =>
    people.map((p) => [p.localId, p.firstName, p.lastName, PERSON_ROLE_LABELS[p.role], schoolName(schoolNames, p.school), p.grade, p.email, p.active ? 'Active' : 'Inactive']);

export const DEVICES_HEADER = ['Asset tag', 'Serial number', 'Model', 'Status', 'Checked out to (Local ID)', 'Checked out to', 'Checked out at'];

export const deviceLines = (page: DeviceExportPage): Cell[][] =>
  page.devices.map((d) => {
    const c = page.out.get(d.id);
    const holder = c && page.people.get(c.personId);
    return [d.assetTag, d.serialNumber, d.model, c ? 'Checked out' : DEVICE_STATE_LABELS[d.state], holder?.localId ?? null, holder ? fullName(holder) : null, c?.checkedOutAt ?? null];
  });

export const INCIDENTS_HEADER = ['Incident', 'Opened at', 'Opened by', 'Type', 'Status', 'Asset tag', 'Local ID', 'Person', 'Description'];

export const incidentLines = (page: IncidentExportPage): Cell[][] =>
  page.incidents.map((i) => {
    const person = page.people.get(i.personId);
    return [
      i.id,
      i.openedAt,
      i.openedBy,
      INCIDENT_TYPE_LABELS[i.type],
      INCIDENT_STATUS_LABELS[i.status],
      page.devices.get(i.deviceId)?.assetTag ?? null,
      person?.localId ?? null,
      person ? fullName(person) : null,
      i.description,
    ];
  });

export const HISTORY_HEADER = ['Event', 'At', 'Local ID', 'Person', 'By', 'Checked in at', 'Checked in by', 'Incident', 'Type', 'Status', 'Description'];

export const historyLines = (entries: HistoryEntry[]): Cell[][] =>
  entries.map((e) => {
    const who = [e.person?.localId ?? null, e.person ? fullName(e.person) : null];
    if (e.kind === 'checkout') {
      const c = e.checkout;
      return [c.undone ? 'Check-out (undone)' : 'Check-out', c.checkedOutAt, ...who, c.checkedOutBy, c.checkedIn?.at ?? null, c.checkedIn?.by ?? null, null, null, null, null];
    }
    const i = e.incident;
    return ['Incident', i.openedAt, ...who, i.openedBy, null, null, i.id, INCIDENT_TYPE_LABELS[i.type], INCIDENT_STATUS_LABELS[i.status], i.description];
  });
