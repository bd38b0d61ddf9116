import { html, type Html } from '../html.js';
import { fullName } from '../../people/name.js';
import { face, type PhotoSrcs } from './avatar.js';

/** Who a link names: enough to show a face and a name. */
export interface Named {
  localId: string;
  firstName: string;
  lastName: string;
}

export const personHref = (p: Pick<Named, 'localId'>): string => `/people/${encodeURIComponent(p.localId)}`;
export const deviceHref = (d: { assetTag: string }): string => `/devices/${encodeURIComponent(d.assetTag)}`;
export const incidentHref = (i: { id: number }): string => `/incidents/${i.id}`;

/** The check-out desk with this device scanned (and, to confirm, this person). */
export const deskHref = (d: { assetTag: string }, p?: { localId: string }): string =>
  `/desk?assetTag=${encodeURIComponent(d.assetTag)}${p ? `&person=${encodeURIComponent(p.localId)}` : ''}`;

/** The new-incident form, filled in with the device and/or the person. */
export const newIncidentHref = (about: { assetTag?: string | undefined; localId?: string | undefined }): string => {
  const q = [
    about.assetTag ? `assetTag=${encodeURIComponent(about.assetTag)}` : '',
    about.localId ? `localId=${encodeURIComponent(about.localId)}` : '',
  ].filter(Boolean);
  return `/incidents/new${q.length ? `?${q.join('&')}` : ''}`;
};

/** A person in a list: face (a lazy thumbnail, or initials) and name, linking to their profile. */
export const personLink = (p: Named, photo: PhotoSrcs | undefined): Html =>
  html`<a class="who" href="${personHref(p)}">${face({ ...p, photo }, 'thumb', { lazy: true })}<span>${fullName(p)}</span></a>`;

/** A person's name linking to their profile. */
export const nameLink = (p: Named): Html => html`<a href="${personHref(p)}">${fullName(p)}</a>`;

/** A device's asset tag linking to its profile. */
export const deviceLink = (d: { assetTag: string }): Html => html`<a href="${deviceHref(d)}">${d.assetTag}</a>`;

/** "#12" linking to the incident. */
export const incidentLink = (i: { id: number }): Html => html`<a href="${incidentHref(i)}">#${i.id}</a>`;
