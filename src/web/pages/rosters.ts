import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore } from '../../blobs/blobStore.js';
import type { Dropbox } from '../../dropbox/dropbox.js';
import { recentEvents } from '../../intake/events.js';
import { deactivateAnyway } from '../../roster/deactivateAnyway.js';
import { findImport, listImports } from '../../roster/history.js';
import { getDailyImport } from '../../roster/schedule.js';
import { getRosterSettings, type RosterSettings } from '../../roster/settings.js';
import { changeRosterSettings } from '../../roster/settingsChange.js';
import { LanyardError } from '../../shared/errors.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { html } from '../html.js';
import { csvLine } from '../../shared/csv.js';
import { csrfField, field, flashBlock, formError, notFound, sendPage, timeEl, type Flash, type PageDeps } from './common.js';
import { registerUpload, uploadForm, uploadSummary } from './upload.js';

const HISTORY = 50;

/** The Rosters desk: each import with its counts and row errors, files still waiting, and uploading a roster from the browser. */
export function rosterPages(deps: PageDeps & { dropbox: Dropbox; blobs: BlobStore }): FastifyPluginAsync {
  async function render(req: FastifyRequest, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const [imports, waiting, settings, dailyAt] = await Promise.all([
      listImports(deps.db, districtId, HISTORY),
      recentEvents(deps.db, districtId, { folder: 'data', outcome: 'received', limit: 20, offset: 0 }),
      getRosterSettings(deps.db, districtId),
      getDailyImport(deps.db, districtId),
    ]);
    const mayUpload = can(req.session!.staff.role, 'rosters:manage');
    // Only a file's newest import can be overridden: an older one's decision is out of date.
    const latestOf = new Map<string, number>();
    for (const i of imports) if (!latestOf.has(i.file)) latestOf.set(i.file, i.id);
    const body = html`<h1>Rosters</h1>
${flashBlock(flash)}
${mayUpload
  ? uploadForm(req, {
      id: 'roster-files',
      title: 'Upload a roster',
      intro: html`A CSV from your student information system (Lanyard's columns, Clever or OneRoster, or a OneRoster zip). It is imported exactly as if it came over SFTP into <code>data/</code>.`,
      action: '/rosters/upload',
      label: 'Drop a roster file here, or choose one',
      accept: '.csv,.txt,.zip,text/csv,application/zip',
    })
  : ''}
${waiting.length
  ? html`<section class="card"><h2>Waiting to be imported</h2><ul class="plain">${waiting.map((e) => html`<li><code>${e.file}</code> <span class="muted">received ${timeEl(e.at)}</span></li>`)}</ul></section>`
  : ''}
<section class="card">
  <h2>Import history</h2>
  ${imports.length === 0
    ? html`<p class="muted">No imports yet.</p>`
    : html`<table><thead><tr><th scope="col">When</th><th scope="col">File</th><th scope="col">Outcome</th><th scope="col">Created</th><th scope="col">Updated</th><th scope="col">Unchanged</th><th scope="col">Deactivated</th><th scope="col">Row errors</th></tr></thead>
  <tbody>${imports.map(
    (i) => html`<tr><td>${timeEl(i.at)}</td><td><code>${i.file}</code>${i.format ? html` <span class="muted">${i.format}</span>` : ''}</td>
    <td>${i.outcome === 'imported' ? 'Imported' : html`<span class="outcome outcome-rejected">Rejected</span>`}${i.outcome === 'rejected' || i.held > 0 ? html`<div class="small">${i.message}</div>` : ''}${i.held > 0 && mayUpload && i.id === latestOf.get(i.file)
      ? html`<form class="inline" method="post" action="/rosters/imports/${i.id}/deactivate">${csrfField(req)}<button type="submit" class="secondary">Deactivate them anyway (${i.held})</button></form>`
      : ''}</td>
    <td>${i.created}</td><td>${i.updated}</td><td>${i.unchanged}</td><td>${i.deactivated}</td>
    <td>${i.rowErrors.length ? html`<a href="/rosters/imports/${i.id}/errors.csv" download>${i.errors} (CSV)</a>` : i.errors}</td></tr>`,
  )}</tbody></table>`}
</section>
${mayUpload ? settingsForm(req, settings, dailyAt) : ''}
<script src="/assets/upload.js" defer></script>`;
    return sendPage(req, reply, 'rosters', 'Rosters', body, status);
  }

  return async (app) => {
    app.get('/rosters', { preHandler: pageAuth('people:read') }, (req, reply) => render(req, reply));

    app.get<{ Params: { id: string } }>('/rosters/imports/:id/errors.csv', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const id = Number(req.params.id);
      const found = Number.isSafeInteger(id) ? await findImport(deps.db, req.district.id, id) : undefined;
      if (!found) return notFound(req, reply, 'rosters', `There is no import ${req.params.id} in this district.`);
      const lines = [csvLine(['Line', 'Local ID', 'Problem']), ...found.rowErrors.map((e) => csvLine([String(e.line), e.localId, e.message]))];
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.district.slug}-import-${found.id}-errors.csv"`)
        .header('cache-control', 'no-store')
        .send(`\ufeff${lines.join('')}`);
    });

    app.post<{ Params: { id: string } }>('/rosters/imports/:id/deactivate', { preHandler: pageAuth('rosters:manage') }, async (req, reply) => {
      const id = Number(req.params.id);
      const noSuchImport = () => notFound(req, reply, 'rosters', `There is no import ${req.params.id} in this district.`);
      if (!Number.isSafeInteger(id)) return noSuchImport();
      const r = await deactivateAnyway(deps.db, deps.blobs, (d, name) => deps.dropbox.find(d, 'data', name), req.district.id, id);
      if (!r.ok && r.reason === 'not-found') return noSuchImport();
      if (!r.ok) return render(req, reply, { error: r.message }, 409);
      return r.result.outcome === 'imported' ? render(req, reply, { notice: r.result.message }) : render(req, reply, { error: r.result.message }, 422);
    });

    app.post<{ Body: Record<string, string | undefined> }>('/rosters/settings', { preHandler: pageAuth('rosters:manage') }, async (req, reply) => {
      try {
        const settings = settingsFromForm(req.body ?? {});
        const daily = field(req.body, 'dailyAt');
        await changeRosterSettings(deps.db, req.district.id, { settings, dailyAt: daily === '' ? null : daily }, { actor: req.session!.staff.email, address: req.ip });
        return render(req, reply, { notice: 'Roster settings saved: the next import uses them.' });
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });

    await registerUpload(app, {
      path: '/rosters/upload',
      folder: 'data',
      permission: 'rosters:manage',
      dropbox: deps.dropbox,
      done: (req, reply, r) => {
        if ((req.headers.accept ?? '').includes('application/json')) return reply.send(r);
        return render(req, reply, uploadSummary(r, 'the import runs once the file has settled and shows below.'), r.saved.length ? 200 : 400);
      },
    });
  };
}

function settingsForm(req: FastifyRequest, s: RosterSettings, dailyAt: string | null) {
  const checked = (on: boolean) => (on ? html` checked` : '');
  return html`<section class="card">
  <h2>Roster settings</h2>
  <form class="stack" method="post" action="/rosters/settings">${csrfField(req)}
    <fieldset><legend>Deactivate people missing from a complete file</legend>
      <label><input type="checkbox" name="deactivateStudents" value="1"${checked(s.deactivateMissing.student)}> Students</label>
      <label><input type="checkbox" name="deactivateStaff" value="1"${checked(s.deactivateMissing.staff)}> Staff</label>
    </fieldset>
    <label for="limit">Never deactivate more than this share of a role in one import without confirming (%)</label>
    <input id="limit" name="deactivateLimitPercent" type="number" min="0" max="100" step="1" required value="${s.deactivateLimitPercent}">
    <label for="clever-students">Clever students.csv: column with the Local ID</label><input id="clever-students" name="cleverStudents" required value="${s.cleverIdColumn.students}">
    <label for="clever-teachers">Clever teachers.csv: column with the Local ID</label><input id="clever-teachers" name="cleverTeachers" required value="${s.cleverIdColumn.teachers}">
    <label for="clever-staff">Clever staff.csv: column with the Local ID</label><input id="clever-staff" name="cleverStaff" required value="${s.cleverIdColumn.staff}">
    <label for="oneroster">OneRoster users.csv: field with the Local ID (identifier, sourcedId, username or userIds:&lt;type&gt;)</label><input id="oneroster" name="oneRosterId" required value="${s.oneRosterId}">
    <label for="grades">Grade spellings, one per line as from=to (e.g. P3=PK)</label>
    <textarea id="grades" name="gradeOverrides" rows="3">${Object.entries(s.gradeOverrides).map(([a, b]) => `${a}=${b}`).join('\n')}</textarea>
    <label for="daily">Import the files in data/ again every day at (UTC; empty for never)</label>
    <input id="daily" name="dailyAt" type="time" value="${dailyAt ?? ''}">
    <button type="submit">Save settings</button>
  </form>
</section>`;
}

/** The form's fields as settings, each checked with a sentence the admin can act on. */
function settingsFromForm(f: Record<string, string | undefined>): RosterSettings {
  const limit = Number(field(f, 'deactivateLimitPercent').replace(/%$/, ''));
  if (!Number.isInteger(limit) || limit < 0 || limit > 100) throw new LanyardError('invalid', 'The deactivation limit is a whole percentage from 0 to 100.');
  const oneRosterId = field(f, 'oneRosterId');
  if (!/^(identifier|sourcedId|username|userIds:.+)$/i.test(oneRosterId)) {
    throw new LanyardError('invalid', `The OneRoster Local ID field is identifier, sourcedId, username or userIds:<type> (e.g. userIds:LocalID), not "${oneRosterId}".`);
  }
  const columns = { students: field(f, 'cleverStudents'), teachers: field(f, 'cleverTeachers'), staff: field(f, 'cleverStaff') };
  if (!columns.students || !columns.teachers || !columns.staff) throw new LanyardError('invalid', 'Name the Local ID column for each Clever file.');
  const gradeOverrides: Record<string, string> = {};
  for (const line of field(f, 'gradeOverrides').split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^([^=]+)=(.+)$/.exec(line.trim());
    if (!m) throw new LanyardError('invalid', `A grade spelling is written as from=to, e.g. "P3=PK", not "${line.trim()}".`);
    gradeOverrides[m[1]!.trim()] = m[2]!.trim();
  }
  return {
    deactivateMissing: { student: field(f, 'deactivateStudents') === '1', staff: field(f, 'deactivateStaff') === '1' },
    deactivateLimitPercent: limit,
    cleverIdColumn: columns,
    oneRosterId,
    gradeOverrides,
  };
}
