import { html, type Html } from '../html.js';
import { face, fullName, type PhotoSrcs } from './avatar.js';

/** Who a link names: enough to show a face and a name. */
export interface Named {
  localId: string;
  firstName: string;
  lastName: string;
}

export const personHref = (p: Pick<Named, 'localId'>): string => `/people/${encodeURIComponent(p.localId)}`;
export const deviceHref = (d: { assetTag: string }): string => `/devices/${encodeURIComponent(d.assetTag)}`;
export const incidentHref = (i: { id: number }): string => `/incidents/${i.id}`;

/** A person in a list: face (a lazy thumbnail, or initials) and name, linking to their profile. */
export const personLink = (p: Named, photo: PhotoSrcs | undefined): Html =>
  html`<a class="who" href="${personHref(p)}">${face({ ...p, photo }, 'thumb', { lazy: true })}<span>${fullName(p)}</span></a>`;

/** A person's name linking to their profile. */
export const nameLink = (p: Named): Html => html`<a href="${personHref(p)}">${fullName(p)}</a>`;

/** A device's asset tag linking to its profile. */
export const deviceLink = (d: { assetTag: string }): Html => html`<a href="${deviceHref(d)}">${d.assetTag}</a>`;

/** "#12" linking to the incident. */
export const incidentLink = (i: { id: number }): Html => html`<a href="${incidentHref(i)}">#${i.id}</a>`;
