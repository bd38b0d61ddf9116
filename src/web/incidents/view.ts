import type { Device } from '../../devices/devices.js';
import type { Incident, IncidentNote, IncidentSort } from '../../incidents/incidents.js';
import type { Person } from '../../people/people.js';
import { fullName } from '../../people/name.js';
import { html, type Html } from '../html.js';
import { face, type PhotoSrcs } from '../views/avatar.js';
import { flashBlock, type Flash } from '../views/flash.js';
import { idSchoolGrade, timeEl } from '../views/format.js';
import { filterSelect, hidden, option, optionsOf, postForm } from '../views/forms.js';
import { INCIDENT_STATUS_LABELS, INCIDENT_TYPE_LABELS } from '../views/labels.js';
import { deviceLink, incidentLink, nameLink, newIncidentHref, personLink } from '../views/links.js';
import { pager } from '../views/pager.js';
import { damageFormHref } from '../printouts/view.js';
import { csvLink, listHref, showing, sortableHead, sortParam, type SortColumn } from '../views/sort.js';
import { row } from '../views/table.js';

export interface IncidentListProps {
  /** The filters as chosen ('' for any). */
  status: string;
  type: string;
  /** By when opened, newest first unless turned round. */
  sort: IncidentSort;
  pageSize: number;
  incidents: Incident[];
  total: number;
  people: ReadonlyMap<number, Person>;
  devices: ReadonlyMap<number, Device>;
  faces: ReadonlyMap<number, PhotoSrcs>;
  pageNo: number;
  hasNext: boolean;
  mayOpen: boolean;
}

function incidentRow(i: Incident, p: IncidentListProps): Html {
  const person = p.people.get(i.personId);
  const device = p.devices.get(i.deviceId);
  return row(
    incidentLink(i),
    person ? personLink(person, p.faces.get(person.id)) : '',
    device ? deviceLink(device) : '',
    INCIDENT_TYPE_LABELS[i.type],
    INCIDENT_STATUS_LABELS[i.status],
    timeEl(i.openedAt),
  );
}

/** The list's URL for these filters and an order (the default, newest first, stays out of it). */
const incidentsQuery = (p: IncidentListProps, sort = sortParam(p.sort)) => ({ status: p.status, type: p.type, sort: sort === '-opened' ? '' : sort });

/** Incidents: filters by status and type, and one page of them with the person and device of each. */
export function incidentListView(p: IncidentListProps): Html {
  const statuses = [option('', 'Any status', p.status), ...optionsOf(INCIDENT_STATUS_LABELS, p.status)];
  const types = [option('', 'Any type', p.type), ...optionsOf(INCIDENT_TYPE_LABELS, p.type)];
  const query = incidentsQuery(p);
  const columns: Array<string | SortColumn<'opened'>> = ['Incident', 'Person', 'Device', 'Type', 'Status', { label: 'Opened', key: 'opened', first: 'desc' }];
  const count = showing({ pageNo: p.pageNo, pageSize: p.pageSize, shown: p.incidents.length, total: p.total, more: false, one: 'incident', many: 'incidents' });
  return html`<h1>Incidents</h1>
<form class="filters card" method="get" action="/incidents">
  ${filterSelect('status', 'Status', statuses)}
  ${filterSelect('type', 'Type', types)}
  ${query.sort ? hidden('sort', query.sort) : ''}
  <div class="field"><button type="submit">Filter</button></div>
  ${p.mayOpen ? html`<div class="field push"><a class="button" href="${newIncidentHref({})}">Open an incident</a></div>` : ''}
</form>
<div class="list-meta"><p class="muted" role="status">${count}</p>${p.incidents.length > 0 ? csvLink(listHref('/incidents.csv', query)) : ''}</div>
${p.incidents.length === 0
  ? html`<p>No incidents${p.status || p.type ? ' match these filters' : ' yet'}.</p>`
  : html`<div class="scroll"><table>${sortableHead(columns, p.sort, (s) => listHref('/incidents', incidentsQuery(p, s)))}
  <tbody>${p.incidents.map((i) => incidentRow(i, p))}</tbody></table></div>`}
${pager('/incidents', query, p.pageNo, p.hasNext)}`;
}

/** What the new-incident form holds: empty, from a link (a device, a person), or as sent when it was refused. */
export interface NewIncidentValues {
  assetTag?: string | undefined;
  localId?: string | undefined;
  type?: string | undefined;
  description?: string | undefined;
}

/** Opening an incident: the device, the person, what happened. */
export function newIncidentView(p: { flash: Flash; csrf: string; values: NewIncidentValues }): Html {
  const v = p.values;
  const fields = html`
  <label for="assetTag">Device asset tag</label>
  <input id="assetTag" name="assetTag" required maxlength="64" autocomplete="off" value="${v.assetTag ?? ''}">
  <label for="localId">Local ID of the person</label>
  <input id="localId" name="localId" required maxlength="64" autocomplete="off" value="${v.localId ?? ''}">
  <label for="type">What happened</label><select id="type" name="type">${optionsOf(INCIDENT_TYPE_LABELS, v.type ?? 'damage')}</select>
  <label for="description">Description</label>
  <textarea id="description" name="description" rows="4" maxlength="4000">${v.description ?? ''}</textarea>
  <button type="submit">Open incident</button>
`;
  return html`<h1>Open an incident</h1>
${flashBlock(p.flash)}
${postForm('/incidents', p.csrf, fields, 'card stack')}`;
}

export interface IncidentProps {
  flash: Flash;
  csrf: string;
  incident: Incident;
  device: Device | undefined;
  person: Person | undefined;
  photo: PhotoSrcs | undefined;
  /** Notes and status changes, oldest first. */
  timeline: IncidentNote[];
  /** Set when the person did not hold the device when the incident was opened: who did, if anyone. */
  notHolder?: { heldBy: Person | undefined } | undefined;
  mayWrite: boolean;
}

/** A warning, not a refusal: a borrowed or swapped device is what incidents record. */
function notHolderWarning(p: IncidentProps): Html | '' {
  if (!p.notHolder || !p.person || !p.device) return '';
  const held = p.notHolder.heldBy ? html`${nameLink(p.notHolder.heldBy)} had it checked out` : html`it was not checked out to anyone`;
  return html`<p class="warning" role="status">${fullName(p.person)} did not hold ${p.device.assetTag} when this incident was opened: ${held}. Check who had the device.</p>`;
}

const personCard = (person: Person, photo: PhotoSrcs | undefined) => html`<div class="confirm-person">
    ${face({ ...person, photo }, 'profile')}
    <div><p class="big">${nameLink(person)}</p><p class="muted">Local ID ${idSchoolGrade(person)}</p></div>
  </div>`;

function timelineEntry(n: IncidentNote): Html {
  const status = n.status ? html`<p><strong>Status: ${INCIDENT_STATUS_LABELS[n.status]}</strong></p>` : '';
  const note = n.body ? html`<p class="prewrap">${n.body}</p>` : '';
  return html`<li><span class="muted">${timeEl(n.at)} · ${n.author}</span>${status}${note}</li>`;
}

const noteForm = (p: IncidentProps) =>
  postForm(
    `/incidents/${p.incident.id}/notes`,
    p.csrf,
    html`
    <label for="status">Status</label><select id="status" name="status">${optionsOf(INCIDENT_STATUS_LABELS, p.incident.status)}</select>
    <label for="note">Note</label><textarea id="note" name="note" rows="3" maxlength="4000"></textarea>
    <button type="submit">Add to timeline</button>
  `,
    'stack',
  );

/** An Incident: the person (their face) and device, what happened, and its timeline. */
export function incidentView(p: IncidentProps): Html {
  const i = p.incident;
  const type = INCIDENT_TYPE_LABELS[i.type];
  return html`<h1>Incident #${i.id}: ${type}</h1>
${flashBlock(p.flash)}
${notHolderWarning(p)}
<div class="columns">
<section class="card">
  ${p.person ? personCard(p.person, p.photo) : ''}
</section>
<section class="card">
  <dl class="facts">
    <dt>Status</dt><dd><span class="status status-${i.status}">${INCIDENT_STATUS_LABELS[i.status]}</span></dd>
    <dt>Type</dt><dd>${type}</dd>
    <dt>Device</dt><dd>${p.device ? html`${deviceLink(p.device)} ${p.device.model}` : '—'}</dd>
    <dt>Opened</dt><dd>${timeEl(i.openedAt)} by ${i.openedBy}</dd>
  </dl>
  <h3>Description</h3>
  <p class="prewrap">${i.description || html`<span class="muted">None given.</span>`}</p>
  <p><a href="${damageFormHref(i)}">Print the damage form</a></p>
</section>
</div>
<section class="card">
  <h2>Timeline</h2>
  <ol class="timeline">
    <li><span class="muted">${timeEl(i.openedAt)} · ${i.openedBy}</span><p>Opened as ${type.toLowerCase()}.</p></li>
    ${p.timeline.map(timelineEntry)}
  </ol>
  ${p.mayWrite ? noteForm(p) : ''}
</section>`;
}
