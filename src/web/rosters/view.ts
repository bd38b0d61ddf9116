import type { DeliverySummary } from '../../deliveries/deliveries.js';
import type { PublicEvent } from '../../intake/events.js';
import type { ImportRecord, RosterSettings } from '../../roster/index.js';
import { csvLine } from '../../shared/csv.js';
import { html, type Html } from '../html.js';
import { flashBlock, type Flash } from '../views/flash.js';
import { timeEl } from '../views/format.js';
import { csrfField, postForm } from '../views/forms.js';
import { headRow } from '../views/table.js';
import { uploadForm } from '../views/upload.js';
import { deliveriesCard } from '../deliveries/view.js';

export interface RostersDeskProps {
  flash: Flash;
  csrf: string;
  /** Uploading, the guard's override and the settings are for those who manage rosters. */
  mayManage: boolean;
  /** Imports, newest first. */
  imports: ImportRecord[];
  /** Roster files received and not imported yet. */
  waiting: PublicEvent[];
  /** The latest deliveries that brought roster files, newest first. */
  deliveries: DeliverySummary[];
  settings: RosterSettings;
  dailyAt: string | null;
  /** How long a file must sit unchanged before it is imported (`--roster-settle`). */
  settleSeconds: number;
  /** The page's moment, for the countdowns. */
  now: Date;
}

/** Row errors listed on the page per import (all of them are in its CSV), and how many imports list theirs. */
const ERRORS_SHOWN = 20;
const IMPORTS_WITH_ERRORS_SHOWN = 5;

const uploadCard = (csrf: string) =>
  uploadForm(csrf, {
    id: 'roster-files',
    title: 'Upload a roster',
    intro: html`A CSV from your student information system (Lanyard's columns, Clever or OneRoster, or a OneRoster zip).
      It is imported exactly as if it came over SFTP into <code>data/</code>.`,
    action: '/rosters/upload',
    label: 'Drop a roster file here, or choose one',
    accept: '.csv,.txt,.zip,text/csv,application/zip',
  });

/**
 * Files received and not imported yet, each with when its import starts: a
 * file is read once it has sat unchanged for the settle time (a client may
 * still be writing it). public/app.js counts down and reloads when it is due.
 */
function waitingCard(waiting: PublicEvent[], settleSeconds: number, now: Date): Html | string {
  if (!waiting.length) return '';
  const item = (e: PublicEvent) => {
    const due = new Date(Date.parse(e.at) + settleSeconds * 1000);
    const left = Math.ceil((due.getTime() - now.getTime()) / 1000);
    const when = left > 0 ? `imported in ${left} s` : 'being imported now';
    return html`<li><code>${e.file}</code> <span class="muted">received ${timeEl(e.at)},</span> <span class="countdown" data-due="${due.toISOString()}" role="timer">${when}</span></li>`;
  };
  return html`<section class="card"><h2>Waiting to be imported</h2>
  <p class="muted">A file is imported once it has sat unchanged for ${settleSeconds} s, so one still being uploaded is never read half-way.</p>
  <ul class="plain">${waiting.map(item)}</ul></section>`;
}

function importRow(i: ImportRecord, p: RostersDeskProps, latestOf: ReadonlyMap<string, number>): Html {
  const outcome = i.outcome === 'imported' ? 'Imported' : html`<span class="outcome outcome-rejected">Rejected</span>`;
  const message = i.outcome === 'rejected' || i.held > 0 ? html`<div class="small">${i.message}</div>` : '';
  // Only a file's newest import can be overridden: an older one's decision is out of date.
  const mayOverride = i.held > 0 && p.mayManage && i.id === latestOf.get(i.file);
  const button = html`<button type="submit" class="secondary">Deactivate them anyway (${i.held})</button>`;
  const override = mayOverride ? postForm(`/rosters/imports/${i.id}/deactivate`, p.csrf, button, 'inline') : '';
  // A rejected file's one problem is its message; an imported one's row errors are listed below the table.
  const errors = i.outcome === 'rejected' ? '—' : i.rowErrors.length ? html`<a href="#errors-${i.id}">${i.errors}</a>` : i.errors;
  return html`<tr><td>${timeEl(i.at)}</td><td><code>${i.file}</code>${i.format ? html` <span class="muted">${i.format}</span>` : ''}</td>
    <td>${outcome}${message}${override}</td>
    <td>${i.created}</td><td>${i.updated}</td><td>${i.unchanged}</td><td>${i.deactivated}</td>
    <td>${errors}</td></tr>`;
}

function historyCard(p: RostersDeskProps): Html {
  const latestOf = new Map<string, number>();
  for (const i of p.imports) if (!latestOf.has(i.file)) latestOf.set(i.file, i.id);
  return html`<section class="card">
  <h2>Import history</h2>
  ${p.imports.length === 0
    ? html`<p class="muted">No imports yet.</p>`
    : html`<table>${headRow('When', 'File', 'Outcome', 'Created', 'Updated', 'Unchanged', 'Deactivated', 'Row errors')}
  <tbody>${p.imports.map((i) => importRow(i, p, latestOf))}</tbody></table>`}
  ${rowErrorsList(p.imports)}
</section>`;
}

/**
 * The latest imports' problems on the page, line by line: rows left out (all
 * of them in the import's CSV) and values that look wrong in rows imported
 * as written.
 */
function rowErrorsList(imports: ImportRecord[]): Html | string {
  const worth = (i: ImportRecord) => i.outcome === 'imported' && (i.rowErrors.length > 0 || i.rowWarnings.length > 0);
  const shownImports = imports.filter(worth).slice(0, IMPORTS_WITH_ERRORS_SHOWN);
  if (!shownImports.length) return '';
  const lines = (all: ImportRecord['rowErrors'], total: number, rest: Html | string) => {
    const shown = all.slice(0, ERRORS_SHOWN);
    const more = total - shown.length;
    return html`<ul>${shown.map((e) => html`<li>${e.message}</li>`)}</ul>${more > 0 ? html`<p class="muted">and ${more} more${rest}.</p>` : ''}`;
  };
  const one = (i: ImportRecord) => {
    const left = i.errors > ERRORS_SHOWN ? `all ${i.errors} as a CSV` : 'as a CSV';
    const errors = i.rowErrors.length
      ? html`<h3><code>${i.file}</code>, ${timeEl(i.at)}: ${i.errors === 1 ? '1 row' : `${i.errors} rows`} left out (<a href="/rosters/imports/${i.id}/errors.csv" download>${left}</a>)</h3>
    ${lines(i.rowErrors, i.errors, ' in the CSV')}`
      : '';
    const n = i.rowWarnings.length;
    const warnings = n
      ? html`<h3><code>${i.file}</code>, ${timeEl(i.at)}: ${n === 1 ? '1 value that looks wrong' : `${n} values that look wrong`}</h3>
    ${lines(i.rowWarnings, n, '')}`
      : '';
    return html`<section id="errors-${i.id}" class="row-errors">${errors}${warnings}</section>`;
  };
  return html`<h3>Rows left out and values that look wrong</h3>
  <p class="muted">Everyone else in these files was imported, and rows with a value that looks wrong were imported as written. Fix them in your student information system; the next file brings the changes in.</p>
  ${shownImports.map(one)}`;
}

const ONEROSTER_LABEL = 'OneRoster users.csv: field with the Local ID (identifier, sourcedId, username or userIds:<type>)';

/** The roster settings form; its field names are what rosters/routes.ts reads. */
export function rosterSettingsForm(csrf: string, s: RosterSettings, dailyAt: string | null): Html {
  const checked = (on: boolean) => (on ? html` checked` : '');
  const text = (id: string, name: string, label: string, value: string) =>
    html`<label for="${id}">${label}</label><input id="${id}" name="${name}" required value="${value}">`;
  const grades = Object.entries(s.gradeOverrides)
    .map(([a, b]) => `${a}=${b}`)
    .join('\n');
  return html`<section class="card">
  <h2>Roster settings</h2>
  <form class="stack" method="post" action="/rosters/settings">${csrfField(csrf)}
    <fieldset><legend>Deactivate people missing from a complete file</legend>
      <label><input type="checkbox" name="deactivateStudents" value="1"${checked(s.deactivateMissing.student)}> Students</label>
      <label><input type="checkbox" name="deactivateStaff" value="1"${checked(s.deactivateMissing.staff)}> Staff</label>
    </fieldset>
    <label for="limit">Never deactivate more than this share of a role in one import without confirming (%)</label>
    <input id="limit" name="deactivateLimitPercent" type="number" min="0" max="100" step="1" required value="${s.deactivateLimitPercent}">
    ${text('clever-students', 'cleverStudents', 'Clever students.csv: column with the Local ID', s.cleverIdColumn.students)}
    ${text('clever-teachers', 'cleverTeachers', 'Clever teachers.csv: column with the Local ID', s.cleverIdColumn.teachers)}
    ${text('clever-staff', 'cleverStaff', 'Clever staff.csv: column with the Local ID', s.cleverIdColumn.staff)}
    ${text('oneroster', 'oneRosterId', ONEROSTER_LABEL, s.oneRosterId)}
    <label for="grades">Grade spellings, one per line as from=to (e.g. P3=PK)</label>
    <textarea id="grades" name="gradeOverrides" rows="3">${grades}</textarea>
    <label for="daily">Import the files in data/ again every day at (UTC; empty for never)</label>
    <input id="daily" name="dailyAt" type="time" value="${dailyAt ?? ''}">
    <button type="submit">Save settings</button>
  </form>
</section>`;
}

/** The Rosters desk: uploading, files waiting, each import with its counts and row errors, and the settings. */
export function rostersDeskView(p: RostersDeskProps): Html {
  return html`<h1>Rosters</h1>
${flashBlock(p.flash)}
${p.mayManage ? uploadCard(p.csrf) : ''}
${waitingCard(p.waiting, p.settleSeconds, p.now)}
${deliveriesCard('Roster deliveries', p.deliveries, html`Each SFTP session or browser upload that brings roster files is reported here.`)}
${historyCard(p)}
${p.mayManage ? rosterSettingsForm(p.csrf, p.settings, p.dailyAt) : ''}
<script src="/assets/upload.js" defer></script>`;
}

/** An import's row errors as a CSV (line, Local ID, problem), with a byte-order mark for Excel. */
export function rowErrorsCsv(i: Pick<ImportRecord, 'rowErrors'>): string {
  const lines = [csvLine(['Line', 'Local ID', 'Problem']), ...i.rowErrors.map((e) => csvLine([String(e.line), e.localId, e.message]))];
  return `\ufeff${lines.join('')}`;
}
