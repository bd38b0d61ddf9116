import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { checkoutsOfDevice, deviceHolder, openCheckoutsForDevices } from '../../checkouts/checkouts.js';
import { addDevicesFromCsv } from '../../devices/bulkCsv.js';
import { createDevice, DEVICE_STATES, findDevice, listDevices, updateDevice, type Device, type DeviceState } from '../../devices/devices.js';
import { listIncidents, STATUS_LABELS, TYPE_LABELS } from '../../incidents/incidents.js';
import { fullName, peopleByIds } from '../../people/people.js';
import { LanyardError } from '../../shared/errors.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { html } from '../html.js';
import { face } from '../views/avatar.js';
import { csrfField, field, flashBlock, formError, notFound, pageNumber, pager, sendPage, timeEl, type Flash, type PageDeps } from './common.js';
import { personHref } from './people.js';

const PAGE_SIZE = 50;

export const STATE_LABELS: Record<DeviceState, string> = { available: 'Available', 'in-repair': 'In repair', lost: 'Lost', retired: 'Retired' };
export const deviceHref = (d: Pick<Device, 'assetTag'>): string => `/devices/${encodeURIComponent(d.assetTag)}`;

type Form = Record<string, string | undefined>;

/** Devices: the list with who has each, adding (one or from a CSV), and each device's profile. */
export function devicePages(deps: PageDeps): FastifyPluginAsync {
  const { db } = deps;

  async function listPage(req: FastifyRequest<{ Querystring: { q?: string; page?: string } }>, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const q = field(req.query, 'q');
    const pageNo = pageNumber(req.query.page);
    const rows = await listDevices(db, districtId, { search: q, limit: PAGE_SIZE + 1, offset: (pageNo - 1) * PAGE_SIZE });
    const devices = rows.slice(0, PAGE_SIZE);
    const open = await openCheckoutsForDevices(db, districtId, devices.map((d) => d.id));
    const people = await peopleByIds(db, districtId, [...open.values()].map((c) => c.personId));
    const faces = await deps.faces(districtId, [...people.keys()]);
    const mayWrite = can(req.session!.staff.role, 'devices:write');

    const body = html`<h1>Devices</h1>
${flashBlock(flash)}
<form class="filters card" method="get" action="/devices" role="search">
  <div class="field grow"><label for="q">Asset tag, serial number or model</label><input id="q" name="q" type="search" value="${q}"></div>
  <div class="field"><button type="submit">Search</button></div>
</form>
${devices.length === 0
  ? html`<p>${q ? 'No device matches.' : 'No devices yet: add the first one below.'}</p>`
  : html`<table class="devices">
  <thead><tr><th scope="col">Asset tag</th><th scope="col">Model</th><th scope="col">Serial number</th><th scope="col">Status</th><th scope="col">With</th></tr></thead>
  <tbody>${devices.map((d) => {
    const c = open.get(d.id);
    const p = c && people.get(c.personId);
    return html`<tr><td><a href="${deviceHref(d)}">${d.assetTag}</a></td><td>${d.model}</td><td>${d.serialNumber}</td>
      <td>${c ? 'Checked out' : STATE_LABELS[d.state]}</td>
      <td>${p ? html`<a class="who" href="${personHref(p)}">${face({ ...p, photo: faces.get(p.id) }, 'thumb', { lazy: true })}<span>${fullName(p)}</span></a>` : ''}</td></tr>`;
  })}</tbody></table>`}
${pager('/devices', { q }, pageNo, rows.length > PAGE_SIZE)}
${mayWrite
  ? html`<div class="columns">
<section class="card">
  <h2>Add a device</h2>
  <form class="stack" method="post" action="/devices">${csrfField(req)}
    <label for="assetTag">Asset tag</label><input id="assetTag" name="assetTag" required maxlength="64" autocomplete="off">
    <label for="serialNumber">Serial number</label><input id="serialNumber" name="serialNumber" maxlength="128" autocomplete="off">
    <label for="model">Model</label><input id="model" name="model" maxlength="128">
    <button type="submit">Add device</button>
  </form>
</section>
<section class="card">
  <h2>Add many from a CSV</h2>
  <form class="stack" method="post" action="/devices/bulk">${csrfField(req)}
    <label for="csv-file">Choose a CSV file</label>
    <input id="csv-file" type="file" accept=".csv,text/csv" data-csv-into="csv">
    <label for="csv">or paste it: asset tag, serial number, model (one device a line; a header row is fine)</label>
    <textarea id="csv" name="csv" rows="6" required placeholder="asset tag,serial number,model&#10;LT-0001,5CD1234XYZ,Chromebook 3100"></textarea>
    <button type="submit">Add devices</button>
  </form>
</section>
</div>
<script src="/assets/devices.js" defer></script>`
  : ''}`;
    return sendPage(req, reply, 'devices', 'Devices', body, status);
  }

  async function profilePage(req: FastifyRequest<{ Params: { assetTag: string } }>, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const device = await findDevice(db, districtId, req.params.assetTag);
    if (!device) return notFound(req, reply, 'devices', `No device in ${req.district.name} has asset tag ${req.params.assetTag}.`);
    const [holder, history, { incidents }] = await Promise.all([
      deviceHolder(db, districtId, device.id),
      checkoutsOfDevice(db, districtId, device.id),
      listIncidents(db, districtId, { deviceId: device.id, limit: 100, offset: 0 }),
    ]);
    const people = await peopleByIds(db, districtId, [...history.map((c) => c.personId), ...incidents.map((i) => i.personId)]);
    const faces = await deps.faces(districtId, [...people.keys()]);
    const role = req.session!.staff.role;
    const who = (id: number) => {
      const p = people.get(id);
      return p ? html`<a class="who" href="${personHref(p)}">${face({ ...p, photo: faces.get(p.id) }, 'thumb', { lazy: true })}<span>${fullName(p)}</span></a>` : html`<span class="muted">Unknown</span>`;
    };

    const body = html`<h1>Device ${device.assetTag}</h1>
${flashBlock(flash)}
<div class="columns">
<section class="card">
  <dl class="facts">
    <dt>Asset tag</dt><dd>${device.assetTag}</dd>
    <dt>Model</dt><dd>${device.model || '—'}</dd>
    <dt>Serial number</dt><dd>${device.serialNumber || '—'}</dd>
    <dt>Status</dt><dd>${holder ? 'Checked out' : STATE_LABELS[device.state]}</dd>
    <dt>Added</dt><dd>${timeEl(device.createdAt)}</dd>
  </dl>
</section>
<section class="card holder">
  <h2>Checked out to</h2>
  ${holder
    ? html`<div class="holder-face">${face({ ...holder.person, photo: faces.get(holder.person.id) }, 'profile')}</div>
  <p class="big"><a href="${personHref(holder.person)}">${fullName(holder.person)}</a></p>
  <p class="muted">Local ID ${holder.person.localId}${holder.person.school ? ` · ${holder.person.school}` : ''}${holder.person.grade ? ` · grade ${holder.person.grade}` : ''}</p>
  <p>Since ${timeEl(holder.checkout.checkedOutAt)}</p>
  ${can(role, 'checkouts:write')
    ? html`<form method="post" action="/desk/checkin">${csrfField(req)}<input type="hidden" name="assetTag" value="${device.assetTag}"><button type="submit">Check in</button></form>`
    : ''}`
    : html`<p class="muted">Nobody: the device is in stock.</p>${can(role, 'checkouts:write') && device.state === 'available' ? html`<p><a class="button" href="/desk?assetTag=${encodeURIComponent(device.assetTag)}">Check out at the desk</a></p>` : ''}`}
</section>
</div>
<section class="card">
  <h2>History</h2>
  ${history.length === 0
    ? html`<p class="muted">Never checked out.</p>`
    : html`<table><thead><tr><th scope="col">Person</th><th scope="col">Checked out</th><th scope="col">Checked in</th></tr></thead>
  <tbody>${history.map((c) => html`<tr><td>${who(c.personId)}</td><td>${timeEl(c.checkedOutAt)}</td><td>${c.checkedIn ? timeEl(c.checkedIn.at) : html`<span class="tag">Still out</span>`}</td></tr>`)}</tbody></table>`}
</section>
<section class="card">
  <h2>Incidents</h2>
  ${incidents.length === 0
    ? html`<p class="muted">No incidents.</p>`
    : html`<table><thead><tr><th scope="col">Incident</th><th scope="col">Person</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Opened</th></tr></thead>
  <tbody>${incidents.map((i) => html`<tr><td><a href="/incidents/${i.id}">#${i.id}</a></td><td>${who(i.personId)}</td><td>${TYPE_LABELS[i.type]}</td><td>${STATUS_LABELS[i.status]}</td><td>${timeEl(i.openedAt)}</td></tr>`)}</tbody></table>`}
  ${can(role, 'incidents:write')
    ? html`<p><a class="button secondary" href="/incidents/new?assetTag=${encodeURIComponent(device.assetTag)}${holder ? `&localId=${encodeURIComponent(holder.person.localId)}` : ''}">Open an incident</a></p>`
    : ''}
</section>
${can(role, 'devices:write')
  ? html`<section class="card">
  <h2>Edit</h2>
  <form class="stack" method="post" action="${deviceHref(device)}">${csrfField(req)}
    <label for="serialNumber">Serial number</label><input id="serialNumber" name="serialNumber" value="${device.serialNumber}" maxlength="128">
    <label for="model">Model</label><input id="model" name="model" value="${device.model}" maxlength="128">
    <label for="state">Status</label><select id="state" name="state">${DEVICE_STATES.map((s) => html`<option value="${s}"${s === device.state ? html` selected` : ''}>${STATE_LABELS[s]}</option>`)}</select>
    <button type="submit">Save</button>
  </form>
  ${device.state !== 'retired'
    ? html`<form class="stack" method="post" action="${deviceHref(device)}/retire">${csrfField(req)}<p class="muted">A retired device stays in the history but can no longer be checked out.</p><button type="submit" class="secondary">Retire this device</button></form>`
    : ''}
</section>`
  : ''}`;
    return sendPage(req, reply, 'devices', `Device ${device.assetTag}`, body, status);
  }

  const read = { preHandler: pageAuth('people:read') };
  const write = { preHandler: pageAuth('devices:write') };

  return async (app) => {
    app.get<{ Querystring: { q?: string; page?: string } }>('/devices', read, (req, reply) => listPage(req, reply));

    app.post<{ Body: Form; Querystring: { q?: string; page?: string } }>('/devices', write, async (req, reply) => {
      try {
        const d = await createDevice(db, req.district.id, { assetTag: field(req.body, 'assetTag'), serialNumber: field(req.body, 'serialNumber'), model: field(req.body, 'model') });
        return reply.redirect(deviceHref(d), 303);
      } catch (err) {
        const e = formError(err);
        return listPage(req, reply, { error: e.error }, e.status);
      }
    });

    app.post<{ Body: Form; Querystring: { q?: string; page?: string } }>('/devices/bulk', write, async (req, reply) => {
      try {
        const r = await addDevicesFromCsv(db, req.district.id, field(req.body, 'csv'));
        const skipped = r.skipped.map((s) => `line ${s.line}: ${s.reason}`).join(' ');
        return listPage(req, reply, { notice: `${r.added} ${r.added === 1 ? 'device' : 'devices'} added.`, error: skipped ? `Not added: ${skipped}` : undefined });
      } catch (err) {
        const e = formError(err);
        return listPage(req, reply, { error: e.error }, e.status);
      }
    });

    app.get<{ Params: { assetTag: string } }>('/devices/:assetTag', read, (req, reply) => profilePage(req, reply));

    app.post<{ Params: { assetTag: string }; Body: Form }>('/devices/:assetTag', write, async (req, reply) => {
      try {
        const state = field(req.body, 'state');
        if (state === 'retired' || state === 'lost') await refuseWhileOut(req.district.id, req.params.assetTag);
        await updateDevice(db, req.district.id, req.params.assetTag, {
          serialNumber: field(req.body, 'serialNumber'),
          model: field(req.body, 'model'),
          state: (state || undefined) as DeviceState | undefined,
        });
        return profilePage(req, reply, { notice: 'Saved.' });
      } catch (err) {
        const e = formError(err);
        return e.status === 404 ? notFound(req, reply, 'devices', e.error) : profilePage(req, reply, { error: e.error }, e.status);
      }
    });

    app.post<{ Params: { assetTag: string } }>('/devices/:assetTag/retire', write, async (req, reply) => {
      try {
        await refuseWhileOut(req.district.id, req.params.assetTag);
        await updateDevice(db, req.district.id, req.params.assetTag, { state: 'retired' });
        return profilePage(req, reply, { notice: 'Retired: it can no longer be checked out.' });
      } catch (err) {
        const e = formError(err);
        return e.status === 404 ? notFound(req, reply, 'devices', e.error) : profilePage(req, reply, { error: e.error }, e.status);
      }
    });
  };

  /** A device someone still has cannot be written off here: the desk checks it in first (or an incident records the loss). */
  async function refuseWhileOut(districtId: number, assetTag: string) {
    const d = await findDevice(db, districtId, assetTag);
    if (!d) return;
    const holder = await deviceHolder(db, districtId, d.id);
    if (holder) throw new LanyardError('conflict', `${d.assetTag} is checked out to ${fullName(holder.person)}: check it in first.`);
  }
}
