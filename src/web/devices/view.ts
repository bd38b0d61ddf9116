import type { Checkout } from '../../checkouts/checkouts.js';
import type { Device, DeviceSort, DeviceState } from '../../devices/devices.js';
import type { Incident } from '../../incidents/incidents.js';
import type { Person } from '../../people/people.js';
import { fullName } from '../../people/name.js';
import { html, type Html } from '../html.js';
import { face, type PhotoSrcs } from '../views/avatar.js';
import { flashBlock, type Flash } from '../views/flash.js';
import { idSchoolGrade, timeEl, when } from '../views/format.js';
import { hidden, optionsOf, postForm } from '../views/forms.js';
import { DEVICE_STATE_LABELS, INCIDENT_STATUS_LABELS, INCIDENT_TYPE_LABELS } from '../views/labels.js';
import { deskHref, deviceHref, deviceLink, incidentLink, nameLink, newIncidentHref, personLink } from '../views/links.js';
import { pager } from '../views/pager.js';
import { csvLink, listHref, showing, sortableHead, sortParam, type SortColumn } from '../views/sort.js';
import { checkedInCell, headRow, hiddenLabel, row } from '../views/table.js';
import { receiptHref } from '../printouts/view.js';

export interface DeviceListProps {
  flash: Flash;
  csrf: string;
  q: string;
  /** The list's order (by asset tag, either way). */
  sort: DeviceSort;
  /** How many match, counted up to a limit. */
  count: { total: number; more: boolean };
  pageSize: number;
  devices: Device[];
  /** Open check-outs by device id, and the people who have them. */
  out: ReadonlyMap<number, Checkout>;
  people: ReadonlyMap<number, Person>;
  faces: ReadonlyMap<number, PhotoSrcs>;
  pageNo: number;
  hasNext: boolean;
  mayAdd: boolean;
  /** What was typed into a refused add form, to fix rather than type again. */
  values?: Readonly<Record<string, string>> | undefined;
}

function deviceRow(d: Device, p: DeviceListProps): Html {
  const c = p.out.get(d.id);
  const holder = c && p.people.get(c.personId);
  const status = c ? 'Checked out' : DEVICE_STATE_LABELS[d.state];
  return row(deviceLink(d), d.model, d.serialNumber, status, holder ? personLink(holder, p.faces.get(holder.id)) : '');
}

const CSV_EXAMPLE = 'asset tag,serial number,model\nLT-0001,5CD1234XYZ,Chromebook 3100';

const addForms = (csrf: string, v: Readonly<Record<string, string>> = {}) => html`<div class="columns">
<section class="card">
  <h2>Add a device</h2>
  ${postForm(
    '/devices',
    csrf,
    html`
    <label for="assetTag">Asset tag</label><input id="assetTag" name="assetTag" required maxlength="64" autocomplete="off" value="${v.assetTag ?? ''}">
    <label for="serialNumber">Serial number</label><input id="serialNumber" name="serialNumber" maxlength="128" autocomplete="off" value="${v.serialNumber ?? ''}">
    <label for="model">Model</label><input id="model" name="model" maxlength="128" value="${v.model ?? ''}">
    <button type="submit">Add device</button>
  `,
    'stack',
  )}
</section>
<section class="card">
  <h2>Add many from a CSV</h2>
  ${postForm(
    '/devices/bulk',
    csrf,
    html`
    <label for="csv-file">Choose a CSV file</label>
    <input id="csv-file" type="file" accept=".csv,text/csv" data-csv-into="csv">
    <label for="csv">or paste it: asset tag, serial number, model (one device a line; a header row is fine)</label>
    <textarea id="csv" name="csv" rows="6" required placeholder="${CSV_EXAMPLE}">${v.csv ?? ''}</textarea>
    <button type="submit">Add devices</button>
  `,
    'stack',
  )}
</section>
</div>
<script src="/assets/devices.js" defer></script>`;

/** The list's URL for these filters and an order (the default, A–Z by tag, stays out of it). */
const devicesQuery = (p: DeviceListProps, sort = sortParam(p.sort)) => ({ q: p.q, sort: sort === 'assetTag' ? '' : sort });

function devicesCount(p: DeviceListProps): string {
  return showing({ pageNo: p.pageNo, pageSize: p.pageSize, shown: p.devices.length, total: p.count.total, more: p.count.more, one: 'device', many: 'devices' });
}

/** Devices: search, who has each one, and (for those who may) adding one or many. */
export function deviceListView(p: DeviceListProps): Html {
  const columns: Array<string | SortColumn<'assetTag'>> = [{ label: 'Asset tag', key: 'assetTag' }, 'Model', 'Serial number', 'Status', 'With'];
  const query = devicesQuery(p);
  return html`<h1>Devices</h1>
${flashBlock(p.flash)}
<form class="filters card" method="get" action="/devices" role="search">
  <div class="field grow">
    <label for="q">Asset tag, serial number or model</label><input id="q" name="q" type="search" value="${p.q}">
  </div>
  ${query.sort ? hidden('sort', query.sort) : ''}
  <div class="field"><button type="submit">Search</button></div>
</form>
${p.devices.length === 0
  ? html`<p>${p.q ? 'No device matches.' : 'No devices yet: add the first one below.'}</p>`
  : html`<div class="list-meta"><p class="muted" role="status">${devicesCount(p)}</p>${csvLink(listHref('/devices.csv', query))}</div>
<div class="scroll"><table class="devices">
  ${sortableHead(columns, p.sort, (s) => listHref('/devices', devicesQuery(p, s)))}
  <tbody>${p.devices.map((d) => deviceRow(d, p))}</tbody></table></div>`}
${pager('/devices', query, p.pageNo, p.hasNext)}
${p.mayAdd ? addForms(p.csrf, p.values) : ''}`;
}

export interface DeviceProfileProps {
  flash: Flash;
  csrf: string;
  device: Device;
  /** Who has it now. */
  holder: { checkout: Checkout; person: Person } | undefined;
  /** Its check-outs, newest first, and its incidents. */
  history: Checkout[];
  incidents: Incident[];
  people: ReadonlyMap<number, Person>;
  faces: ReadonlyMap<number, PhotoSrcs>;
  mayCheckOut: boolean;
  mayOpenIncident: boolean;
  mayEdit: boolean;
  /** Other devices whose tags differ from this one's only in letter case (kept from before migration 0090). */
  caseTwins: readonly Device[];
}

/**
 * Two devices whose tags differ only in case were both kept when tags became
 * case-blind; the page says which one a typed tag finds, so a technician
 * can retire the stray record instead of wondering where its history went.
 */
function caseTwinWarning(p: DeviceProfileProps): Html | '' {
  if (p.caseTwins.length === 0) return '';
  const others = p.caseTwins.map((t) => html`<a href="/devices/${encodeURIComponent(t.assetTag)}">${t.assetTag}</a>`);
  const finds = p.device.caseTwin ? p.caseTwins.find((t) => !t.caseTwin) : p.device;
  return html`<p class="error case-twin" role="alert">Asset tags do not depend on letter case, but this device and ${joinHtml(others)} were added as different devices before that rule.
A scan or a tag typed in any case finds ${finds ? finds.assetTag : 'the older one'}${p.device.caseTwin ? ' (not this record; it opens only by its exact tag)' : ''}.
Check the labels: if they are one device, retire the record with no history; if they are two, relabel one.</p>`;
}

const joinHtml = (parts: Html[]): Html => parts.reduce<Html>((acc, part, i) => (i === 0 ? part : html`${acc}, ${part}`), html``);

const facts = (d: Device, checkedOut: boolean) => html`<dl class="facts">
    <dt>Asset tag</dt><dd>${d.assetTag}</dd>
    <dt>Model</dt><dd>${d.model || '—'}</dd>
    <dt>Serial number</dt><dd>${d.serialNumber || '—'}</dd>
    <dt>Status</dt><dd>${checkedOut ? 'Checked out' : DEVICE_STATE_LABELS[d.state]}</dd>
    <dt>Added</dt><dd>${timeEl(d.createdAt)}</dd>
  </dl>`;

function holderCard(p: DeviceProfileProps): Html {
  const { device, holder } = p;
  if (!holder) {
    const deskLink = html`<p><a class="button" href="${deskHref(device)}">Check out at the desk</a></p>`;
    return html`<p class="muted">Nobody: the device is in stock.</p>${p.mayCheckOut && device.state === 'available' ? deskLink : ''}`;
  }
  const person = holder.person;
  const checkIn = postForm('/desk/checkin', p.csrf, html`${hidden('assetTag', device.assetTag)}<button type="submit">Check in</button>`);
  return html`<div class="holder-face">${face({ ...person, photo: p.faces.get(person.id) }, 'profile')}</div>
  <p class="big">${nameLink(person)}</p>
  <p class="muted">Local ID ${idSchoolGrade(person)}</p>
  <p>Since ${timeEl(holder.checkout.checkedOutAt)}</p>
  <p><a href="${receiptHref(holder.checkout)}">Print the check-out receipt</a></p>
  ${p.mayCheckOut ? checkIn : ''}`;
}

/** A person by id, as a list shows them ("Unknown" for someone no longer in the roster). */
const who = (p: DeviceProfileProps, id: number) => {
  const person = p.people.get(id);
  return person ? personLink(person, p.faces.get(person.id)) : html`<span class="muted">Unknown</span>`;
};

function historyTable(p: DeviceProfileProps): Html {
  if (p.history.length === 0) return html`<p class="muted">Never checked out.</p>`;
  const receipt = (c: Checkout) => html`<a href="${receiptHref(c)}" aria-label="Receipt of the check-out on ${when(c.checkedOutAt)}">Receipt</a>`;
  const line = (c: Checkout) => row(who(p, c.personId), timeEl(c.checkedOutAt), checkedInCell(c), receipt(c));
  return html`<div class="scroll"><table>${headRow('Person', 'Checked out', 'Checked in', hiddenLabel('Receipt'))}
  <tbody>${p.history.map(line)}</tbody></table></div>`;
}

function incidentsTable(p: DeviceProfileProps): Html {
  if (p.incidents.length === 0) return html`<p class="muted">No incidents.</p>`;
  const line = (i: Incident) =>
    row(incidentLink(i), who(p, i.personId), INCIDENT_TYPE_LABELS[i.type], INCIDENT_STATUS_LABELS[i.status], timeEl(i.openedAt));
  return html`<table>${headRow('Incident', 'Person', 'Type', 'Status', 'Opened')}
  <tbody>${p.incidents.map(line)}</tbody></table>`;
}

/**
 * The status choices as the device stands: a checked-out device is not "Available" (a check-out is
 * ended at the desk, not here), so while it is out that choice says so.
 */
function stateChoices(p: DeviceProfileProps): Record<DeviceState, string> {
  if (!p.holder) return DEVICE_STATE_LABELS;
  return { ...DEVICE_STATE_LABELS, available: `Checked out to ${fullName(p.holder.person)} (check it in at the desk)` };
}

function editCard(p: DeviceProfileProps): Html {
  const d = p.device;
  // Retiring asks first, on its own page (GET .../retire).
  const retire = html`<p class="muted">A retired device stays in the history but can no longer be checked out.</p>
  <p><a class="button secondary" href="${deviceHref(d)}/retire">Retire this device…</a></p>`;
  const edit = postForm(
    deviceHref(d),
    p.csrf,
    html`
    <label for="serialNumber">Serial number</label><input id="serialNumber" name="serialNumber" value="${d.serialNumber}" maxlength="128">
    <label for="model">Model</label><input id="model" name="model" value="${d.model}" maxlength="128">
    <label for="state">Status</label><select id="state" name="state">${optionsOf(stateChoices(p), d.state)}</select>
    <button type="submit">Save</button>
  `,
    'stack',
  );
  return html`<section class="card">
  <h2>Edit</h2>
  ${edit}
  ${d.state !== 'retired' ? retire : ''}
</section>`;
}

/** A Device Profile: its facts, who has it (their face, large), its history and incidents, and editing. */
export function deviceProfileView(p: DeviceProfileProps): Html {
  const d = p.device;
  const newIncident = newIncidentHref({ assetTag: d.assetTag, localId: p.holder?.person.localId });
  return html`<h1>Device ${d.assetTag}</h1>
${flashBlock(p.flash)}
${caseTwinWarning(p)}
<div class="columns">
<section class="card">
  ${facts(d, p.holder !== undefined)}
</section>
<section class="card holder">
  <h2>Checked out to</h2>
  ${holderCard(p)}
</section>
</div>
<section class="card">
  <h2>History</h2>
  ${historyTable(p)}
  ${p.history.length > 0 || p.incidents.length > 0 ? html`<p>${csvLink(`${deviceHref(d)}/history.csv`)}</p>` : ''}
</section>
<section class="card">
  <h2>Incidents</h2>
  ${incidentsTable(p)}
  ${p.mayOpenIncident ? html`<p><a class="button secondary" href="${newIncident}">Open an incident</a></p>` : ''}
</section>
${p.mayEdit ? editCard(p) : ''}`;
}
