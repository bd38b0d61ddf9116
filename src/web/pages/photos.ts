import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Dropbox } from '../../dropbox/dropbox.js';
import { recentEvents, type PublicEvent } from '../../intake/events.js';
import { fullName, matchPerson, searchPeople, type Person } from '../../people/people.js';
import { LanyardError } from '../../shared/errors.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { html } from '../html.js';
import { face } from '../views/avatar.js';
import { csvLine } from '../../shared/csv.js';
import { csrfField, field, flashBlock, formError, schoolNamer, sendPage, timeEl, type Flash, type PageDeps } from './common.js';
import { personHref } from './people.js';
import { registerUpload, uploadForm, uploadSummary } from './upload.js';

const OUTCOMES = ['received', 'linked', 'unmatched', 'rejected', 'removed'] as const;
const OUTCOME_LABELS: Record<string, string> = {
  received: 'Waiting to be processed',
  linked: 'Linked to a person',
  unmatched: 'No such person yet',
  rejected: 'Rejected',
  removed: 'Removed',
  unpacked: 'Package unpacked',
};
const EVENTS_SHOWN = 100;
const MISSING_SHOWN = 20;

/** Active people, and which of them have no photo: what coverage and the retake-day list are made of. */
async function coverage(deps: PageDeps, districtId: number) {
  const { people } = await searchPeople(deps.db, districtId, { active: true, limit: 1_000_000, offset: 0 });
  const withPhoto = await deps.faces(districtId, people.map((p) => p.id));
  const missing = people.filter((p) => !withPhoto.has(p.id));
  const bySchool = new Map<string, { total: number; withPhoto: number }>();
  for (const p of people) {
    const s = bySchool.get(p.school ?? '') ?? { total: 0, withPhoto: 0 };
    s.total++;
    if (withPhoto.has(p.id)) s.withPhoto++;
    bySchool.set(p.school ?? '', s);
  }
  return { active: people.length, missing, bySchool: [...bySchool].sort(([a], [b]) => a.localeCompare(b)) };
}

const percent = (n: number, of: number) => (of === 0 ? '—' : `${Math.floor((100 * n) / of)}%`);

/** The Photos desk: what happened to uploads, coverage per school, who has no photo yet, and uploading from the browser. */
export function photoPages(deps: PageDeps & { dropbox: Dropbox }): FastifyPluginAsync {
  async function render(req: FastifyRequest, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const outcome = field(req.query, 'outcome');
    const [events, cov, school] = await Promise.all([
      recentEvents(deps.db, districtId, { folder: 'idphotos', outcome: outcome || undefined, limit: EVENTS_SHOWN, offset: 0 }),
      coverage(deps, districtId),
      schoolNamer(deps.db, districtId),
    ]);
    const shownMissing = cov.missing.slice(0, MISSING_SHOWN);
    const mayUpload = can(req.session!.staff.role, 'photos:manage');
    const unmatched = mayUpload ? await stillUnmatched(districtId) : [];
    const body = html`<h1>Photos</h1>
${flashBlock(flash)}
${mayUpload
  ? uploadForm(req, {
      id: 'photo-files',
      title: 'Upload photos',
      intro: html`Name each photo with the person's Local ID (<code>123456.jpg</code>), or upload a photographer's zip. They go through exactly the same checks as files sent over SFTP.`,
      action: '/photos/upload',
      label: 'Drop photos or a zip here, or choose files',
      accept: '.jpg,.jpeg,.png,.gif,.zip,image/jpeg,image/png,image/gif,application/zip',
    })
  : ''}
<div class="columns">
<section class="card">
  <h2>Coverage</h2>
  <p>${cov.active - cov.missing.length} of ${cov.active} active people have a photo (${percent(cov.active - cov.missing.length, cov.active)}).</p>
  ${cov.bySchool.length
    ? html`<table><thead><tr><th scope="col">School</th><th scope="col">Active</th><th scope="col">With photo</th><th scope="col">Coverage</th></tr></thead>
  <tbody>${cov.bySchool.map(([code, s]) => html`<tr><td>${code ? school(code) : html`<span class="muted">No school</span>`}</td><td>${s.total}</td><td>${s.withPhoto}</td><td>${percent(s.withPhoto, s.total)}</td></tr>`)}</tbody></table>`
    : ''}
</section>
<section class="card">
  <h2>No photo yet</h2>
  ${cov.missing.length === 0
    ? html`<p>Everyone active has a photo.</p>`
    : html`<p>${cov.missing.length} active ${cov.missing.length === 1 ? 'person has' : 'people have'} no photo. <a class="button secondary" href="/photos/missing.csv" download>Download the list (CSV) for retake day</a></p>
  <ul class="plain">${shownMissing.map((p: Person) => html`<li><a class="who" href="${personHref(p)}">${face({ ...p, photo: undefined }, 'thumb')}<span>${fullName(p)}</span></a> <span class="muted">${p.localId}${p.school ? ` · ${p.school}` : ''}${p.grade ? ` · grade ${p.grade}` : ''}</span></li>`)}</ul>
  ${cov.missing.length > MISSING_SHOWN ? html`<p class="muted">and ${cov.missing.length - MISSING_SHOWN} more in the CSV.</p>` : ''}`}
</section>
</div>
${unmatched.length
  ? html`<section class="card">
  <h2>Photos waiting for their person</h2>
  <p class="muted">No one has these Local IDs yet. They are linked by themselves when a roster brings the person; if the name is simply wrong, give the right Local ID and the file is renamed in the drop box and goes through the intake again.</p>
  <table><thead><tr><th scope="col">File</th><th scope="col">Received</th><th scope="col">Assign to</th></tr></thead>
  <tbody>${unmatched.map(
    (e, i) => html`<tr><td><code>${e.file}</code></td><td>${timeEl(e.at)}</td><td><form class="inline" method="post" action="/photos/assign">${csrfField(req)}<input type="hidden" name="file" value="${e.file}">
      <label class="visually-hidden" for="assign-${i}">Local ID of the person in ${e.file}</label><input id="assign-${i}" name="localId" required maxlength="64" autocomplete="off" placeholder="Local ID">
      <button type="submit">Assign</button></form></td></tr>`,
  )}</tbody></table>
</section>`
  : ''}
<section class="card">
  <h2>Recent photo deliveries</h2>
  <form class="filters" method="get" action="/photos">
    <div class="field"><label for="outcome">Outcome</label><select id="outcome" name="outcome"><option value="">Any outcome</option>${OUTCOMES.map((o) => html`<option value="${o}"${o === outcome ? html` selected` : ''}>${OUTCOME_LABELS[o]}</option>`)}</select></div>
    <div class="field"><button type="submit">Filter</button></div>
  </form>
  ${events.length === 0
    ? html`<p class="muted">Nothing yet. Photos arrive over SFTP in <code>idphotos/</code>, or from the upload above.</p>`
    : html`<table><thead><tr><th scope="col">When</th><th scope="col">File</th><th scope="col">From</th><th scope="col">Outcome</th><th scope="col">Person</th><th scope="col">Details</th></tr></thead>
  <tbody>${events.map((e) => html`<tr><td>${timeEl(e.at)}</td><td><code>${e.file}</code></td><td>${e.source === 'sftp' ? 'SFTP' : e.source === 'web' ? 'Browser' : 'Package'}</td>
    <td><span class="outcome outcome-${e.outcome}">${OUTCOME_LABELS[e.outcome] ?? e.outcome}</span></td>
    <td>${e.localId ? (e.outcome === 'linked' ? html`<a href="/people/${encodeURIComponent(e.localId)}">${e.localId}</a>` : e.localId) : ''}</td><td>${e.message}</td></tr>`)}</tbody></table>`}
</section>
<script src="/assets/upload.js" defer></script>`;
    return sendPage(req, reply, 'photos', 'Photos', body, status);
  }

  /** Files whose last outcome was "unmatched", still in the drop box, whose Local ID still names no one. */
  async function stillUnmatched(districtId: number): Promise<PublicEvent[]> {
    const events = await recentEvents(deps.db, districtId, { folder: 'idphotos', outcome: 'unmatched', limit: 200, offset: 0 });
    const seen = new Set<string>();
    const out: PublicEvent[] = [];
    for (const e of events) {
      if (seen.has(e.file)) continue;
      seen.add(e.file);
      const file = await deps.dropbox.find(districtId, 'idphotos', e.file);
      if (!file || file.sha256 !== e.sha256) continue;
      if (e.localId && (await matchPerson(deps.db, districtId, e.localId)).kind === 'matched') continue;
      out.push(e);
    }
    return out;
  }

  return async (app) => {
    app.post<{ Body: Record<string, string | undefined> }>('/photos/assign', { preHandler: pageAuth('photos:manage') }, async (req, reply) => {
      try {
        const file = field(req.body, 'file');
        const localId = field(req.body, 'localId');
        const m = await matchPerson(deps.db, req.district.id, localId);
        if (m.kind !== 'matched') throw new LanyardError('not-found', `No one has Local ID ${localId}: check the number, or import the roster that brings them first.`);
        const to = `${m.person.localId}${path.extname(file).toLowerCase() || '.jpg'}`;
        if (to === file) throw new LanyardError('conflict', `${file} already carries that Local ID.`);
        await deps.dropbox.rename({ districtId: req.district.id, source: 'web', name: req.session!.staff.email, address: req.ip }, { folder: 'idphotos', name: file }, { folder: 'idphotos', name: to });
        return render(req, reply, { notice: `${file} is now ${to}: the photo intake shows it on ${fullName(m.person)} within seconds.` });
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });

    app.get<{ Querystring: { outcome?: string } }>('/photos', { preHandler: pageAuth('people:read') }, (req, reply) => render(req, reply));

    app.get('/photos/missing.csv', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const { missing } = await coverage(deps, req.district.id);
      const lines = [csvLine(['Local ID', 'First Name', 'Last Name', 'Role', 'School', 'Grade', 'Email']), ...missing.map((p) => csvLine([p.localId, p.firstName, p.lastName, p.role, p.school, p.grade, p.email]))];
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.district.slug}-no-photo.csv"`)
        .header('cache-control', 'no-store')
        .send(`\ufeff${lines.join('')}`);
    });

    await registerUpload(app, {
      path: '/photos/upload',
      folder: 'idphotos',
      permission: 'photos:manage',
      dropbox: deps.dropbox,
      done: (req, reply, r) => {
        if ((req.headers.accept ?? '').includes('application/json')) return reply.send(r);
        const s = uploadSummary(r, 'their outcomes appear below within seconds.');
        return render(req, reply, s, r.saved.length ? 200 : 400);
      },
    });
  };
}
