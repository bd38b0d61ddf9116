import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Dropbox } from '../../dropbox/dropbox.js';
import { recentEvents } from '../../intake/events.js';
import { fullName, searchPeople, type Person } from '../../people/people.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { html } from '../html.js';
import { face } from '../views/avatar.js';
import { csvLine } from './csv.js';
import { csrfField, field, flashBlock, sendPage, timeEl, type Flash, type PageDeps } from './common.js';
import { personHref } from './people.js';
import { registerUpload, uploadSummary } from './upload.js';

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
    const [events, cov] = await Promise.all([
      recentEvents(deps.db, districtId, { folder: 'idphotos', outcome: outcome || undefined, limit: EVENTS_SHOWN, offset: 0 }),
      coverage(deps, districtId),
    ]);
    const shownMissing = cov.missing.slice(0, MISSING_SHOWN);
    const mayUpload = can(req.session!.staff.role, 'photos:manage');
    const body = html`<h1>Photos</h1>
${flashBlock(flash)}
${mayUpload
  ? html`<section class="card">
  <h2>Upload photos</h2>
  <p class="muted">Name each photo with the person's Local ID (<code>123456.jpg</code>), or upload a photographer's zip. They go through exactly the same checks as files sent over SFTP.</p>
  <form class="upload" method="post" action="/photos/upload" enctype="multipart/form-data" data-upload>
    ${csrfField(req)}
    <label for="photo-files" class="dropzone">Drop photos or a zip here, or choose files</label>
    <input id="photo-files" name="files" type="file" multiple required accept=".jpg,.jpeg,.png,.gif,.zip,image/jpeg,image/png,image/gif,application/zip">
    <progress max="100" value="0" hidden></progress>
    <p class="upload-status" role="status"></p>
    <button type="submit">Upload</button>
  </form>
</section>`
  : ''}
<div class="columns">
<section class="card">
  <h2>Coverage</h2>
  <p>${cov.active - cov.missing.length} of ${cov.active} active people have a photo (${percent(cov.active - cov.missing.length, cov.active)}).</p>
  ${cov.bySchool.length
    ? html`<table><thead><tr><th scope="col">School</th><th scope="col">Active</th><th scope="col">With photo</th><th scope="col">Coverage</th></tr></thead>
  <tbody>${cov.bySchool.map(([school, s]) => html`<tr><td>${school || html`<span class="muted">No school</span>`}</td><td>${s.total}</td><td>${s.withPhoto}</td><td>${percent(s.withPhoto, s.total)}</td></tr>`)}</tbody></table>`
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

  return async (app) => {
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
