import type { Checkout } from '../../src/checkouts/checkouts.js';
import type { Device } from '../../src/devices/devices.js';
import type { Incident } from '../../src/incidents/incidents.js';
import type { Person } from '../../src/people/people.js';
import type { Html } from '../../src/web/html.js';

/** Plain props for view tests: what the domain would hand a page, without a database. */

const AT = '2026-11-25T08:47:00.000Z';

export function person(over: Partial<Person> = {}): Person {
  return {
    id: 1,
    districtId: 1,
    localId: '004410',
    firstName: 'Lisa',
    lastName: 'Simpson',
    role: 'student',
    school: '101',
    grade: '2',
    email: 'lisa@springfield.k12.us',
    stateId: null,
    active: true,
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

export function device(over: Partial<Device> = {}): Device {
  return { id: 7, assetTag: 'LT-0100', serialNumber: 'SN-1', model: 'Chromebook 3100', state: 'available', caseTwin: false, createdAt: AT, updatedAt: AT, ...over };
}

export function checkout(over: Partial<Checkout> = {}): Checkout {
  return { id: 3, deviceId: 7, personId: 1, checkedOutAt: AT, checkedOutBy: 'edna@springfield.k12.us', checkedIn: null, undone: null, ...over };
}

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 12,
    deviceId: 7,
    personId: 1,
    type: 'damage',
    status: 'open',
    description: 'Cracked screen',
    openedAt: AT,
    openedBy: 'edna@springfield.k12.us',
    updatedAt: AT,
    ...over,
  };
}

export const PHOTO = { thumb: '/api/v1/photos/k1?size=thumb', profile: '/api/v1/photos/k1?size=profile' };

/**
 * What a reader gets: the text without tags (inline ones joined to their
 * neighbours), entities decoded, spaces collapsed, and without what is hidden
 * from screen readers (the initials standing in for a photo, next to the name).
 */
export function visibleText(h: Html | string): string {
  return String(h)
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<span [^>]*aria-hidden="true">[^<]*<\/span>/g, '')
    .replace(/<\/?(a|span|code|strong|b|em|time)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The hrefs of every link, in order. */
export const links = (h: Html | string): string[] => [...String(h).matchAll(/<a [^>]*href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

/** The POST forms' actions, in order. */
export const formActions = (h: Html | string): string[] => [...String(h).matchAll(/<form [^>]*method="post" action="([^"]*)"/g)].map((m) => m[1]!);
