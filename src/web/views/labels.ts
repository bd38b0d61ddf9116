import type { IncidentStatus, IncidentType } from '../../incidents/incidents.js';
import type { DeviceState } from '../../devices/devices.js';
import type { PersonRole } from '../../people/people.js';

/** How the pages name the domain's states and kinds; each record's order is the order of its choices. */
export const DEVICE_STATE_LABELS: Record<DeviceState, string> = {
  available: 'Available',
  'in-repair': 'In repair',
  lost: 'Lost',
  retired: 'Retired',
};

export const INCIDENT_TYPE_LABELS: Record<IncidentType, string> = { damage: 'Damage', loss: 'Loss', theft: 'Theft', other: 'Other' };

export const INCIDENT_STATUS_LABELS: Record<IncidentStatus, string> = {
  open: 'Open',
  'in-repair': 'In repair',
  'waiting-for-pickup': 'Waiting for pickup',
  lost: 'Lost',
  closed: 'Closed',
};

export const PERSON_ROLE_LABELS: Record<PersonRole, string> = { student: 'Student', staff: 'Staff' };
