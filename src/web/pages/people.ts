import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { checkoutsOfPerson } from '../../checkouts/checkouts.js';
import { devicesByIds } from '../../devices/devices.js';
import { listIncidents, STATUS_LABELS, TYPE_LABELS } from '../../incidents/incidents.js';
import { findPerson, fullName, peopleFacets, searchPeople, type Person, type PersonRole } from '../../people/people.js';
import { photoSrc, photoUrl } from '../../photos/current.js';
import { keptVersions, revertPhoto, showVersion, type KeptVersion } from '../../photos/versions.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { html } from '../html.js';
import { face } from '../views/avatar.js';
import { csrfField, field, flashBlock, notFound, pageNumber, pager, schoolNamer, sendPage, timeEl, type Flash, type PageDeps } from './common.js';

const PAGE_SIZE = 100;

export const personHref = (p: Pick<Person, 'localId'>): string => `/people/${encodeURIComponent(p.localId)}`;

const option = (value: string, label: string, current: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;

type PeopleQueryString = { q?: string; school?: string; grade?: string; role?: string; active?: string; photo?: string; page?: string };

/** People: search and filters, and each person's profile. */
export function peoplePages(deps: PageDeps): FastifyPluginAsync {
  const { db } = deps;
  return async (app) => {
    app.get<{ Querystring: PeopleQueryString }>('/people', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const districtId = req.district.id;
      const f = {
        q: field(req.query, 'q'),
        school: field(req.query, 'school'),
        grade: field(req.query, 'grade'),
        role: field(req.query, 'role'),
        active: field(req.query, 'active'),
        photo: field(req.query, 'photo'),
      };
      const pageNo = pageNumber(req.query.page);
      const base = {
        text: f.q || undefined,
        school: f.school || undefined,
        grade: f.grade || undefined,
        role: f.role === 'student' || f.role === 'staff' ? (f.role as PersonRole) : undefined,
        active: f.active === 'yes' ? true : f.active === 'no' ? false : undefined,
      };
      let ids: { in: number[] } | { notIn: number[] } | undefined;
      if (f.photo === 'yes' || f.photo === 'no') {
        // Who has a photo is the photos module's to say: ask about everyone matching the other filters.
        const all = await searchPeople(db, districtId, { ...base, limit: 1_000_000, offset: 0 });
        const withPhoto = [...(await deps.faces(districtId, all.people.map((p) => p.id))).keys()];
        ids = f.photo === 'yes' ? { in: withPhoto } : { notIn: withPhoto };
      }
      const [{ people, total }, facets, school] = await Promise.all([
        searchPeople(db, districtId, { ...base, ids, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE }),
        peopleFacets(db, districtId),
        schoolNamer(db, districtId),
      ]);
      const faces = await deps.faces(districtId, people.map((p) => p.id));

      const body = html`<h1>People</h1>
<form class="filters card" method="get" action="/people" role="search">
  <div class="field grow"><label for="q">Name, Local ID or email</label><input id="q" name="q" type="search" value="${f.q}" autofocus></div>
  <div class="field"><label for="school">School</label><select id="school" name="school">${option('', 'All schools', f.school)}${facets.schools.map((s) => option(s, school(s), f.school))}</select></div>
  <div class="field"><label for="grade">Grade</label><select id="grade" name="grade">${option('', 'All grades', f.grade)}${facets.grades.map((g) => option(g, g, f.grade))}</select></div>
  <div class="field"><label for="role">Role</label><select id="role" name="role">${option('', 'Everyone', f.role)}${option('student', 'Students', f.role)}${option('staff', 'Staff', f.role)}</select></div>
  <div class="field"><label for="active">Status</label><select id="active" name="active">${option('', 'Active and inactive', f.active)}${option('yes', 'Active', f.active)}${option('no', 'Inactive', f.active)}</select></div>
  <div class="field"><label for="photo">Photo</label><select id="photo" name="photo">${option('', 'With or without', f.photo)}${option('yes', 'Has a photo', f.photo)}${option('no', 'No photo yet', f.photo)}</select></div>
  <div class="field"><button type="submit">Search</button></div>
</form>
<p class="muted" role="status">${total === 1 ? '1 person' : `${total} people`}</p>
${people.length === 0
  ? html`<p>No one matches. Try part of a name, or clear the filters.</p>`
  : html`<table class="people">
  <thead><tr><th scope="col"><span class="visually-hidden">Photo</span></th><th scope="col">Name</th><th scope="col">Local ID</th><th scope="col">School</th><th scope="col">Grade</th><th scope="col">Role</th><th scope="col">Status</th></tr></thead>
  <tbody>${people.map(
    (p) => html`<tr>
    <td>${face({ ...p, photo: faces.get(p.id) }, 'thumb', { lazy: true })}</td>
    <td><a href="${personHref(p)}">${fullName(p)}</a>${p.email ? html`<div class="muted small">${p.email}</div>` : ''}</td>
    <td>${p.localId}</td><td>${school(p.school)}</td><td>${p.grade ?? ''}</td><td>${p.role}</td>
    <td>${p.active ? 'Active' : html`<span class="tag">Inactive</span>`}</td></tr>`,
  )}</tbody></table>`}
${pager('/people', f, pageNo, pageNo * PAGE_SIZE < total)}`;
      return sendPage(req, reply, 'people', 'People', body);
    });

    const profile = async (req: FastifyRequest<{ Params: { localId: string } }>, reply: FastifyReply, flash: Flash = {}, status = 200) => {
      const districtId = req.district.id;
      const person = await findPerson(db, districtId, req.params.localId);
      if (!person) return notFound(req, reply, 'people', `No one in ${req.district.name} has Local ID ${req.params.localId}.`);
      const [faces, checkouts, { incidents }, versions, school] = await Promise.all([
        deps.faces(districtId, [person.id]),
        checkoutsOfPerson(db, districtId, person.id),
        listIncidents(db, districtId, { personId: person.id, limit: 100, offset: 0 }),
        keptVersions(db, districtId, person.id),
        schoolNamer(db, districtId),
      ]);
      const mayRevert = can(req.session!.staff.role, 'photos:manage');
      const devices = await devicesByIds(db, districtId, [...checkouts.map((c) => c.deviceId), ...incidents.map((i) => i.deviceId)]);
      const tagOf = (id: number) => devices.get(id)?.assetTag ?? '?';
      const deviceLink = (id: number) => html`<a href="/devices/${encodeURIComponent(tagOf(id))}">${tagOf(id)}</a>`;
      const out = checkouts.filter((c) => !c.checkedIn);
      const mayWrite = can(req.session!.staff.role, 'incidents:write');

      const body = html`${flashBlock(flash)}<div class="profile">
  <div class="profile-face">${face({ ...person, photo: faces.get(person.id) }, 'profile')}</div>
  <div class="profile-facts">
    <h1>${fullName(person)}</h1>
    <dl class="facts">
      <dt>Local ID</dt><dd>${person.localId}</dd>
      <dt>Role</dt><dd>${person.role === 'student' ? 'Student' : 'Staff'}</dd>
      <dt>School</dt><dd>${school(person.school) || '—'}</dd>
      <dt>Grade</dt><dd>${person.grade ?? '—'}</dd>
      <dt>Email</dt><dd>${person.email ?? '—'}</dd>
      <dt>Status</dt><dd>${person.active ? 'Active' : html`<span class="tag">Inactive</span>`}</dd>
      <dt>Photo</dt><dd>${faces.has(person.id) ? 'On file' : html`<span class="tag warn">No photo yet</span>`}${versions.length > 1 ? html` <span class="muted">(${versions.length} versions kept)</span>` : ''}</dd>
    </dl>
    ${mayRevert && versions.length > (faces.has(person.id) ? 1 : 0)
      ? html`<form class="inline" method="post" action="${personHref(person)}/photo/revert">${csrfField(req)}<button type="submit" class="secondary">Show the previous photo again</button></form>`
      : ''}
  </div>
</div>
${photoHistory(req, person, versions, mayRevert)}
<section class="card">
  <h2>Devices checked out now</h2>
  ${out.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<ul class="plain">${out.map((c) => html`<li>${deviceLink(c.deviceId)} ${devices.get(c.deviceId)?.model ?? ''} <span class="muted">since ${timeEl(c.checkedOutAt)}</span></li>`)}</ul>`}
</section>
<section class="card">
  <h2>Check-out history</h2>
  ${checkouts.length === 0
    ? html`<p class="muted">No check-outs yet.</p>`
    : html`<table><thead><tr><th scope="col">Device</th><th scope="col">Checked out</th><th scope="col">Checked in</th></tr></thead>
  <tbody>${checkouts.map((c) => html`<tr><td>${deviceLink(c.deviceId)}</td><td>${timeEl(c.checkedOutAt)}</td><td>${c.checkedIn ? timeEl(c.checkedIn.at) : html`<span class="tag">Still out</span>`}</td></tr>`)}</tbody></table>`}
</section>
<section class="card">
  <h2>Incidents</h2>
  ${incidents.length === 0
    ? html`<p class="muted">No incidents.</p>`
    : html`<table><thead><tr><th scope="col">Incident</th><th scope="col">Device</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Opened</th></tr></thead>
  <tbody>${incidents.map((i) => html`<tr><td><a href="/incidents/${i.id}">#${i.id}</a></td><td>${deviceLink(i.deviceId)}</td><td>${TYPE_LABELS[i.type]}</td><td>${STATUS_LABELS[i.status]}</td><td>${timeEl(i.openedAt)}</td></tr>`)}</tbody></table>`}
  ${mayWrite ? html`<p><a class="button secondary" href="/incidents/new?localId=${encodeURIComponent(person.localId)}">Open an incident</a></p>` : ''}
</section>`;
      return sendPage(req, reply, 'people', fullName(person), body, status);
    };

    app.get<{ Params: { localId: string } }>('/people/:localId', { preHandler: pageAuth('people:read') }, (req, reply) => profile(req, reply));

    app.post<{ Params: { localId: string }; Body: { version?: string } }>('/people/:localId/photo/show', { preHandler: pageAuth('photos:manage') }, async (req, reply) => {
      const person = await findPerson(db, req.district.id, req.params.localId);
      if (!person) return notFound(req, reply, 'people', `No one in ${req.district.name} has Local ID ${req.params.localId}.`);
      const id = Number(req.body?.version);
      const shown = Number.isSafeInteger(id) ? await showVersion(db, req.district.id, person.id, id) : undefined;
      return shown
        ? profile(req, reply, { notice: `${fullName(person)} shows the photo from ${shown.file} again.` })
        : profile(req, reply, { error: `That photo is no longer kept for ${fullName(person)}: choose one from the photo history below.` }, 404);
    });

    app.post<{ Params: { localId: string } }>('/people/:localId/photo/revert', { preHandler: pageAuth('photos:manage') }, async (req, reply) => {
      const person = await findPerson(db, req.district.id, req.params.localId);
      if (!person) return notFound(req, reply, 'people', `No one in ${req.district.name} has Local ID ${req.params.localId}.`);
      const back = await revertPhoto(db, req.district.id, person.id);
      return back
        ? profile(req, reply, { notice: `${fullName(person)} shows the previous photo again (from ${back.file}).` })
        : profile(req, reply, { error: `${fullName(person)} has no earlier photo to go back to.` }, 409);
    });
  };
}

/**
 * Every kept version, newest first, each with its thumbnail, where it came
 * from and when; admins can show any of them again. The thumbnails' alt text
 * is not the bare name: that is reserved for the photo the person shows now.
 */
function photoHistory(req: FastifyRequest, person: Person, versions: KeptVersion[], mayShow: boolean) {
  if (versions.length === 0) return '';
  const href = personHref(person);
  return html`<section class="card">
  <h2>Photo history</h2>
  <ul class="photo-history">${versions.map(
    (v) => html`<li${v.shownNow ? html` class="shown-now"` : ''}>
    <img class="face face-thumb" src="${photoSrc({ url: photoUrl(v.urlKey) }, 'thumb')}" alt="${`Photo of ${fullName(person)} from ${v.file}`}" width="48" height="60" loading="lazy" decoding="async">
    <span><code>${v.file}</code><br><span class="muted">${timeEl(v.createdAt)}</span></span>
    ${v.shownNow
      ? html`<span class="tag">Shown now</span>`
      : mayShow
        ? html`<form class="inline" method="post" action="${href}/photo/show">${csrfField(req)}<input type="hidden" name="version" value="${String(v.id)}"><button type="submit" class="secondary">Show this photo</button></form>`
        : ''}
  </li>`,
  )}</ul>
</section>`;
}
