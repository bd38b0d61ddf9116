import type { Checkout } from '../../checkouts/checkouts.js';
import type { Device } from '../../devices/devices.js';
import type { Incident } from '../../incidents/incidents.js';
import { PEOPLE_SORTS, type Person, type PeopleSortKey } from '../../people/people.js';
import type { KeptVersion } from '../../photos/versions.js';
import { WARNING_LABELS, WARNING_SENTENCES } from '../../photos/warnings.js';
import { html, type Html } from '../html.js';
import { fullName } from '../../people/name.js';
import { face, type PhotoSrcs } from '../views/avatar.js';
import { flashBlock, type Flash } from '../views/flash.js';
import { activeOrTag, schoolName, timeEl, when } from '../views/format.js';
import { filterSelect, hidden, option, postForm } from '../views/forms.js';
import { INCIDENT_STATUS_LABELS, INCIDENT_TYPE_LABELS, PERSON_ROLE_LABELS } from '../views/labels.js';
import { deviceLink, incidentLink, newIncidentHref, personHref } from '../views/links.js';
import { pager } from '../views/pager.js';
import { receiptHref } from '../printouts/view.js';
import { csvLink, listHref, parseSort, showing, sortableHead, type SortColumn } from '../views/sort.js';
import { checkedInCell, headRow, hiddenLabel, row } from '../views/table.js';

/** The People list's filters as the form sent them (empty: not filtered). */
export interface PeopleFilters {
  q: string;
  school: string;
  grade: string;
  role: string;
  active: string;
  photo: string;
  /** The order as the URL writes it ('' for by name, A–Z). */
  sort: string;
}

export interface PeopleListProps {
  filters: PeopleFilters;
  /** The schools and grades anyone in the district has, for the filters' choices. */
  facets: { schools: string[]; grades: string[] };
  schoolNames: ReadonlyMap<string, string | null>;
  /** This page of the matches, and how many match in all. */
  people: Person[];
  total: number;
  /** More than `total` match: counting stopped there. */
  more: boolean;
  faces: ReadonlyMap<number, PhotoSrcs>;
  pageNo: number;
  pageSize: number;
  hasNext: boolean;
}

function filtersForm(p: PeopleListProps): Html {
  const f = p.filters;
  const schools = p.facets.schools.map((s) => option(s, schoolName(p.schoolNames, s), f.school));
  const grades = p.facets.grades.map((g) => option(g, g, f.grade));
  const roles = [option('', 'Everyone', f.role), option('student', 'Students', f.role), option('staff', 'Staff', f.role)];
  const statuses = [option('yes', 'Active', f.active), option('no', 'Inactive', f.active), option('all', 'Active and inactive', f.active)];
  const photos = [option('', 'With or without', f.photo), option('yes', 'Has a photo', f.photo), option('no', 'No photo yet', f.photo)];
  return html`<form class="filters card" method="get" action="/people" role="search">
  <div class="field grow">
    <label for="q">Name, Local ID or email</label><input id="q" name="q" type="search" value="${f.q}" autofocus>
  </div>
  ${filterSelect('school', 'School', [option('', 'All schools', f.school), ...schools])}
  ${filterSelect('grade', 'Grade', [option('', 'All grades', f.grade), ...grades])}
  ${filterSelect('role', 'Role', roles)}
  ${filterSelect('active', 'Status', statuses)}
  ${filterSelect('photo', 'Photo', photos)}
  ${f.sort ? hidden('sort', f.sort) : ''}
  <div class="field"><button type="submit">Search</button></div>
</form>`;
}

function personRow(p: Person, props: PeopleListProps): Html {
  const name = html`<a href="${personHref(p)}">${fullName(p)}</a>${p.email ? html`<div class="muted small">${p.email}</div>` : ''}`;
  const photo = face({ ...p, photo: props.faces.get(p.id) }, 'thumb', { lazy: true });
  return row(photo, name, p.localId, schoolName(props.schoolNames, p.school), p.grade ?? '', PERSON_ROLE_LABELS[p.role], activeOrTag(p.active));
}

const PEOPLE_COLUMNS: Array<string | Html | SortColumn<PeopleSortKey>> = [
  hiddenLabel('Photo'),
  { label: 'Name', key: 'name' },
  { label: 'Local ID', key: 'localId' },
  'School',
  'Grade',
  'Role',
  'Status',
];

/** How many match and where this page sits: counted up to a limit, so a huge district says "more than 10,000". */
function peopleCount(p: PeopleListProps): string {
  if (p.more) {
    const first = (p.pageNo - 1) * p.pageSize + 1;
    const shown = p.people.length > 0 ? ` (showing ${first.toLocaleString('en-US')}–${(first + p.people.length - 1).toLocaleString('en-US')})` : '';
    return `More than ${p.total.toLocaleString('en-US')} people: add a filter or search to narrow them${shown}`;
  }
  return showing({ pageNo: p.pageNo, pageSize: p.pageSize, shown: p.people.length, total: p.total, more: false, one: 'person', many: 'people' });
}

/** People: search and filters, and one page of who matches, each with their face. */
export function peopleListView(p: PeopleListProps): Html {
  const sort = parseSort(p.filters.sort, PEOPLE_SORTS, { by: 'name', dir: 'asc' });
  const sortHref = (s: string) => listHref('/people', { ...p.filters, sort: s === 'name' ? '' : s });
  return html`<h1>People</h1>
${filtersForm(p)}
<div class="list-meta"><p class="muted" role="status">${peopleCount(p)}</p>${p.people.length > 0 ? csvLink(listHref('/people.csv', { ...p.filters })) : ''}</div>
${p.people.length === 0
  ? html`<p>No one matches. Try part of a name, or clear the filters.</p>`
  : html`<div class="scroll"><table class="people">
  ${sortableHead(PEOPLE_COLUMNS, sort, sortHref)}
  <tbody>${p.people.map((person) => personRow(person, p))}</tbody></table></div>`}
${pager('/people', { ...p.filters }, p.pageNo, p.hasNext)}`;
}

export interface ProfileProps {
  flash: Flash;
  csrf: string;
  person: Person;
  photo: PhotoSrcs | undefined;
  schoolNames: ReadonlyMap<string, string | null>;
  /** Kept photo versions, newest first, each with its thumbnail's URL. */
  versions: Array<KeptVersion & { thumb: string }>;
  /** Check-outs, open ones first. */
  checkouts: Checkout[];
  incidents: Incident[];
  devices: ReadonlyMap<number, Device>;
  /** An admin may show an earlier photo again. */
  mayChangePhoto: boolean;
  mayOpenIncident: boolean;
  /** When this Local ID's photos and files were erased on request, if they were. */
  erased?: { erasedAt: string } | undefined;
  /** An admin may erase the person's photos and files (with the Local ID typed to confirm). */
  mayErase?: boolean | undefined;
}

const ERASE_HINT =
  'Removes every photo, earlier version, original and file in idphotos of this person from Lanyard and its storage, now, ' +
  'for a parent\'s or the district\'s request. It cannot be undone. Their name, devices and incidents stay; new photos are welcome afterwards.';

/** An admin's erase, behind typing the Local ID: a click alone must never destroy a child's photos. */
function eraseCard(p: ProfileProps): Html | string {
  if (!p.mayErase) return '';
  const form = postForm(
    `${personHref(p.person)}/erase`,
    p.csrf,
    html`<p class="muted">${ERASE_HINT}</p>
    <label for="erase-confirm">Type the Local ID (${p.person.localId}) to confirm</label>
    <input id="erase-confirm" name="confirm" autocomplete="off" required>
    <button type="submit" class="danger">Erase every photo and file</button>`,
    'stack',
  );
  return html`<section class="card"><h2>Erase photos and files</h2>${form}</section>`;
}

/** Said on the profile of someone whose photos were erased: a roster may bring them back, new photos are welcome. */
const erasedNotice = (p: ProfileProps): Html | string =>
  p.erased
    ? html`<p class="notice" role="status"><span class="tag">Erased</span> Every photo and file of ${p.person.localId} was erased on request on ${timeEl(p.erased.erasedAt)}. New photos of them are welcome.</p>`
    : '';

function facts(p: ProfileProps): Html {
  const person = p.person;
  const kept = p.versions.length > 1 ? html` <span class="muted">(${p.versions.length} versions kept)</span>` : '';
  return html`<dl class="facts">
      <dt>Local ID</dt><dd>${person.localId}</dd>
      <dt>Role</dt><dd>${PERSON_ROLE_LABELS[person.role]}</dd>
      <dt>School</dt><dd>${schoolName(p.schoolNames, person.school) || '—'}</dd>
      <dt>Grade</dt><dd>${person.grade ?? '—'}</dd>
      <dt>Email</dt><dd>${person.email ?? '—'}</dd>
      <dt>Status</dt><dd>${activeOrTag(person.active)}</dd>
      <dt>Photo</dt><dd>${p.photo ? 'On file' : html`<span class="tag warn">No photo yet</span>`}${kept}${photoWarnings(p)}</dd>
    </dl>`;
}

/** What the quality checks found in the photo shown now: it is shown anyway, and someone should look. */
function photoWarnings(p: ProfileProps): Html | string {
  const shown = p.photo ? p.versions.find((v) => v.shownNow) : undefined;
  if (!shown?.warnings.length) return '';
  return html`<ul class="photo-warnings" aria-label="Photo warnings">${shown.warnings.map((w) => html`<li><span class="tag warn">${WARNING_LABELS[w]}</span> ${WARNING_SENTENCES[w]}</li>`)}</ul>`;
}

function revertForm(p: ProfileProps): Html | string {
  if (!p.mayChangePhoto || p.versions.length <= (p.photo ? 1 : 0)) return '';
  const button = html`<button type="submit" class="secondary">Show the previous photo again</button>`;
  return postForm(`${personHref(p.person)}/photo/revert`, p.csrf, button, 'inline');
}

/**
 * Every kept version, newest first, each with its thumbnail, where it came
 * from and when; admins can show any of them again. The thumbnails' alt text
 * is not the bare name: that is reserved for the photo the person shows now.
 */
function photoHistory(p: ProfileProps): Html | string {
  if (p.versions.length === 0) return '';
  const showForm = (v: KeptVersion) =>
    postForm(
      `${personHref(p.person)}/photo/show`,
      p.csrf,
      html`${hidden('version', String(v.id))}<button type="submit" class="secondary">Show this photo</button>`,
      'inline',
    );
  const thumb = (v: KeptVersion & { thumb: string }) => {
    const alt = `Photo of ${fullName(p.person)} from ${v.file}`;
    return html`<img class="face face-thumb" src="${v.thumb}" alt="${alt}" width="48" height="60" loading="lazy" decoding="async">`;
  };
  const item = (v: KeptVersion & { thumb: string }) => html`<li${v.shownNow ? html` class="shown-now"` : ''}>
    ${thumb(v)}
    <span><code>${v.file}</code><br><span class="muted">${timeEl(v.createdAt)}</span></span>
    ${v.shownNow ? html`<span class="tag">Shown now</span>` : p.mayChangePhoto ? showForm(v) : ''}
  </li>`;
  return html`<section class="card">
  <h2>Photo history</h2>
  <ul class="photo-history">${p.versions.map(item)}</ul>
</section>`;
}

/** A device by id as a link to it ("?" for one no longer there). */
const tagLink = (p: ProfileProps, id: number) => deviceLink({ assetTag: p.devices.get(id)?.assetTag ?? '?' });

function devicesOut(p: ProfileProps): Html {
  const out = p.checkouts.filter((c) => !c.checkedIn);
  const model = (c: Checkout) => p.devices.get(c.deviceId)?.model ?? '';
  const item = (c: Checkout) => html`<li>${tagLink(p, c.deviceId)} ${model(c)} <span class="muted">since ${timeEl(c.checkedOutAt)}</span></li>`;
  return out.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="plain">${out.map(item)}</ul>`;
}

function checkoutHistory(p: ProfileProps): Html {
  if (p.checkouts.length === 0) return html`<p class="muted">No check-outs yet.</p>`;
  const receipt = (c: Checkout) => html`<a href="${receiptHref(c)}" aria-label="Receipt of the check-out on ${when(c.checkedOutAt)}">Receipt</a>`;
  const line = (c: Checkout) => row(tagLink(p, c.deviceId), timeEl(c.checkedOutAt), checkedInCell(c), receipt(c));
  return html`<div class="scroll"><table>${headRow('Device', 'Checked out', 'Checked in', hiddenLabel('Receipt'))}
  <tbody>${p.checkouts.map(line)}</tbody></table></div>`;
}

function incidentsOf(p: ProfileProps): Html {
  if (p.incidents.length === 0) return html`<p class="muted">No incidents.</p>`;
  const line = (i: Incident) =>
    row(incidentLink(i), tagLink(p, i.deviceId), INCIDENT_TYPE_LABELS[i.type], INCIDENT_STATUS_LABELS[i.status], timeEl(i.openedAt));
  return html`<table>${headRow('Incident', 'Device', 'Type', 'Status', 'Opened')}
  <tbody>${p.incidents.map(line)}</tbody></table>`;
}

/** A User Profile: the person and their face, their photo history, devices and incidents. */
export function profileView(p: ProfileProps): Html {
  const newIncident = newIncidentHref({ localId: p.person.localId });
  return html`${flashBlock(p.flash)}<div class="profile">
  <div class="profile-face">${face({ ...p.person, photo: p.photo }, 'profile')}</div>
  <div class="profile-facts">
    <h1>${fullName(p.person)}</h1>
    ${erasedNotice(p)}
    ${facts(p)}
    ${revertForm(p)}
  </div>
</div>
${photoHistory(p)}
<section class="card">
  <h2>Devices checked out now</h2>
  ${devicesOut(p)}
</section>
<section class="card">
  <h2>Check-out history</h2>
  ${checkoutHistory(p)}
</section>
<section class="card">
  <h2>Incidents</h2>
  ${incidentsOf(p)}
  ${p.mayOpenIncident ? html`<p><a class="button secondary" href="${newIncident}">Open an incident</a></p>` : ''}
</section>
${eraseCard(p)}`;
}
