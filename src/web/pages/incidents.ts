import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { devicesByIds, findDeviceById } from '../../devices/devices.js';
import {
  getIncident,
  INCIDENT_STATUSES,
  INCIDENT_TYPES,
  incidentTimeline,
  isIncidentStatus,
  isIncidentType,
  listIncidents,
  openIncident,
  STATUS_LABELS,
  TYPE_LABELS,
  updateIncident,
} from '../../incidents/incidents.js';
import { findPersonById, fullName, peopleByIds } from '../../people/people.js';
import { isLanyardError } from '../../shared/errors.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { html } from '../html.js';
import { face } from '../views/avatar.js';
import { csrfField, field, flashBlock, formError, notFound, pageNumber, pager, sendPage, timeEl, type Flash, type PageDeps } from './common.js';
import { deviceHref } from './devices.js';
import { personHref } from './people.js';

const PAGE_SIZE = 50;
const option = (value: string, label: string, current: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;

type Form = Record<string, string | undefined>;
type NewQuery = { assetTag?: string; localId?: string };

/** Incidents: the list with filters, opening one, and each incident's page with its timeline. */
export function incidentPages(deps: PageDeps): FastifyPluginAsync {
  const { db } = deps;

  function newForm(req: FastifyRequest, reply: FastifyReply, values: Form, flash: Flash = {}, status = 200) {
    const body = html`<h1>Open an incident</h1>
${flashBlock(flash)}
<form class="card stack" method="post" action="/incidents">${csrfField(req)}
  <label for="assetTag">Device asset tag</label><input id="assetTag" name="assetTag" required maxlength="64" autocomplete="off" value="${values.assetTag ?? ''}">
  <label for="localId">Local ID of the person</label><input id="localId" name="localId" required maxlength="64" autocomplete="off" value="${values.localId ?? ''}">
  <label for="type">What happened</label><select id="type" name="type">${INCIDENT_TYPES.map((t) => option(t, TYPE_LABELS[t], values.type ?? 'damage'))}</select>
  <label for="description">Description</label><textarea id="description" name="description" rows="4" maxlength="4000">${values.description ?? ''}</textarea>
  <button type="submit">Open incident</button>
</form>`;
    return sendPage(req, reply, 'incidents', 'Open an incident', body, status);
  }

  async function incidentPage(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const id = Number(req.params.id);
    let incident;
    try {
      incident = await getIncident(db, districtId, id);
    } catch (err) {
      if (isLanyardError(err) && err.kind === 'not-found') return notFound(req, reply, 'incidents', err.message);
      throw err;
    }
    const [device, person, timeline] = await Promise.all([
      findDeviceById(db, districtId, incident.deviceId),
      findPersonById(db, districtId, incident.personId),
      incidentTimeline(db, districtId, incident.id),
    ]);
    const faces = await deps.faces(districtId, person ? [person.id] : []);
    const mayWrite = can(req.session!.staff.role, 'incidents:write');

    const body = html`<h1>Incident #${incident.id}: ${TYPE_LABELS[incident.type]}</h1>
${flashBlock(flash)}
<div class="columns">
<section class="card">
  ${person
    ? html`<div class="confirm-person">${face({ ...person, photo: faces.get(person.id) }, 'profile')}<div><p class="big"><a href="${personHref(person)}">${fullName(person)}</a></p><p class="muted">Local ID ${person.localId}${person.school ? ` · ${person.school}` : ''}${person.grade ? ` · grade ${person.grade}` : ''}</p></div></div>`
    : ''}
</section>
<section class="card">
  <dl class="facts">
    <dt>Status</dt><dd><span class="status status-${incident.status}">${STATUS_LABELS[incident.status]}</span></dd>
    <dt>Type</dt><dd>${TYPE_LABELS[incident.type]}</dd>
    <dt>Device</dt><dd>${device ? html`<a href="${deviceHref(device)}">${device.assetTag}</a> ${device.model}` : '—'}</dd>
    <dt>Opened</dt><dd>${timeEl(incident.openedAt)} by ${incident.openedBy}</dd>
  </dl>
  <h3>Description</h3>
  <p class="prewrap">${incident.description || html`<span class="muted">None given.</span>`}</p>
</section>
</div>
<section class="card">
  <h2>Timeline</h2>
  <ol class="timeline">
    <li><span class="muted">${timeEl(incident.openedAt)} · ${incident.openedBy}</span><p>Opened as ${TYPE_LABELS[incident.type].toLowerCase()}.</p></li>
    ${timeline.map((n) => html`<li><span class="muted">${timeEl(n.at)} · ${n.author}</span>${n.status ? html`<p><strong>Status: ${STATUS_LABELS[n.status]}</strong></p>` : ''}${n.body ? html`<p class="prewrap">${n.body}</p>` : ''}</li>`)}
  </ol>
  ${mayWrite
    ? html`<form class="stack" method="post" action="/incidents/${incident.id}/notes">${csrfField(req)}
    <label for="status">Status</label><select id="status" name="status">${INCIDENT_STATUSES.map((s) => option(s, STATUS_LABELS[s], incident.status))}</select>
    <label for="note">Note</label><textarea id="note" name="note" rows="3" maxlength="4000"></textarea>
    <button type="submit">Add to timeline</button>
  </form>`
    : ''}
</section>`;
    return sendPage(req, reply, 'incidents', `Incident #${incident.id}`, body, status);
  }

  const read = { preHandler: pageAuth('people:read') };
  const write = { preHandler: pageAuth('incidents:write') };

  return async (app) => {
    app.get<{ Querystring: { status?: string; type?: string; page?: string } }>('/incidents', read, async (req, reply) => {
      const districtId = req.district.id;
      const status = field(req.query, 'status');
      const type = field(req.query, 'type');
      const pageNo = pageNumber(req.query.page);
      const { incidents, total } = await listIncidents(db, districtId, {
        status: isIncidentStatus(status) ? status : undefined,
        type: isIncidentType(type) ? type : undefined,
        limit: PAGE_SIZE,
        offset: (pageNo - 1) * PAGE_SIZE,
      });
      const [people, devices] = await Promise.all([peopleByIds(db, districtId, incidents.map((i) => i.personId)), devicesByIds(db, districtId, incidents.map((i) => i.deviceId))]);
      const faces = await deps.faces(districtId, [...people.keys()]);
      const body = html`<h1>Incidents</h1>
<form class="filters card" method="get" action="/incidents">
  <div class="field"><label for="status">Status</label><select id="status" name="status">${option('', 'Any status', status)}${INCIDENT_STATUSES.map((s) => option(s, STATUS_LABELS[s], status))}</select></div>
  <div class="field"><label for="type">Type</label><select id="type" name="type">${option('', 'Any type', type)}${INCIDENT_TYPES.map((t) => option(t, TYPE_LABELS[t], type))}</select></div>
  <div class="field"><button type="submit">Filter</button></div>
  ${can(req.session!.staff.role, 'incidents:write') ? html`<div class="field push"><a class="button" href="/incidents/new">Open an incident</a></div>` : ''}
</form>
<p class="muted" role="status">${total === 1 ? '1 incident' : `${total} incidents`}</p>
${incidents.length === 0
  ? html`<p>No incidents${status || type ? ' match these filters' : ' yet'}.</p>`
  : html`<table><thead><tr><th scope="col">Incident</th><th scope="col">Person</th><th scope="col">Device</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Opened</th></tr></thead>
  <tbody>${incidents.map((i) => {
    const p = people.get(i.personId);
    const d = devices.get(i.deviceId);
    return html`<tr><td><a href="/incidents/${i.id}">#${i.id}</a></td>
      <td>${p ? html`<a class="who" href="${personHref(p)}">${face({ ...p, photo: faces.get(p.id) }, 'thumb', { lazy: true })}<span>${fullName(p)}</span></a>` : ''}</td>
      <td>${d ? html`<a href="${deviceHref(d)}">${d.assetTag}</a>` : ''}</td><td>${TYPE_LABELS[i.type]}</td><td>${STATUS_LABELS[i.status]}</td><td>${timeEl(i.openedAt)}</td></tr>`;
  })}</tbody></table>`}
${pager('/incidents', { status, type }, pageNo, pageNo * PAGE_SIZE < total)}`;
      return sendPage(req, reply, 'incidents', 'Incidents', body);
    });

    app.get<{ Querystring: NewQuery }>('/incidents/new', write, (req, reply) => newForm(req, reply, { assetTag: field(req.query, 'assetTag'), localId: field(req.query, 'localId') }));

    app.post<{ Body: Form }>('/incidents', write, async (req, reply) => {
      const values: Form = {
        assetTag: field(req.body, 'assetTag'),
        localId: field(req.body, 'localId'),
        type: field(req.body, 'type'),
        description: field(req.body, 'description'),
      };
      try {
        const i = await openIncident(db, req.district.id, { assetTag: values.assetTag!, localId: values.localId!, type: values.type!, description: values.description!, by: req.session!.staff.email });
        return reply.redirect(`/incidents/${i.id}`, 303);
      } catch (err) {
        const e = formError(err);
        return newForm(req, reply, values, { error: e.error }, e.status);
      }
    });

    app.get<{ Params: { id: string } }>('/incidents/:id', read, (req, reply) => incidentPage(req, reply));

    app.post<{ Params: { id: string }; Body: Form }>('/incidents/:id/notes', write, async (req, reply) => {
      try {
        await updateIncident(db, req.district.id, Number(req.params.id), { status: field(req.body, 'status'), note: field(req.body, 'note'), by: req.session!.staff.email });
        return reply.redirect(`/incidents/${Number(req.params.id)}`, 303);
      } catch (err) {
        const e = formError(err);
        return e.status === 404 ? notFound(req, reply, 'incidents', e.error) : incidentPage(req, reply, { error: e.error }, e.status);
      }
    });
  };
}
