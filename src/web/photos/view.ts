import type { DeliverySummary } from '../../deliveries/deliveries.js';
import type { PublicEvent } from '../../intake/events.js';
import type { Person } from '../../people/people.js';
import type { PhotoCoverage, SchoolCoverage } from '../../photos/coverage.js';
import { csvLine } from '../../shared/csv.js';
import { html, type Html } from '../html.js';
import { flashBlock, type Flash } from '../views/flash.js';
import { idSchoolGrade, schoolName, timeEl } from '../views/format.js';
import { hidden, postForm } from '../views/forms.js';
import { headRow, row } from '../views/table.js';
import { personHref, personLink } from '../views/links.js';
import { uploadForm } from '../views/upload.js';
import { deliveriesCard } from '../deliveries/view.js';

/** The outcomes a photo's delivery can have, as the filter offers them. */
const OUTCOMES = ['received', 'linked', 'unmatched', 'rejected', 'removed'] as const;
const OUTCOME_LABELS: Record<string, string> = {
  received: 'Waiting to be processed',
  linked: 'Linked to a person',
  unmatched: 'No such person yet',
  rejected: 'Rejected',
  removed: 'Removed',
  unpacked: 'Package unpacked',
};
const SOURCE_LABELS: Record<string, string> = { sftp: 'SFTP', web: 'Browser' };

export interface PhotosDeskProps {
  flash: Flash;
  csrf: string;
  mayUpload: boolean;
  coverage: PhotoCoverage;
  schoolNames: ReadonlyMap<string, string | null>;
  /** The first few active people without a photo (all of them are in the CSV). */
  missing: Person[];
  /** Photos waiting for their person, which an admin may assign. */
  unmatched: PublicEvent[];
  /** The deliveries shown, filtered by `outcome` ('' for any). */
  outcome: string;
  events: PublicEvent[];
  /** The latest deliveries that brought photos, newest first. */
  deliveries: DeliverySummary[];
}

const percent = (n: number, of: number) => (of === 0 ? '—' : `${Math.floor((100 * n) / of)}%`);

const uploadCard = (csrf: string) =>
  uploadForm(csrf, {
    id: 'photo-files',
    title: 'Upload photos',
    intro: html`Name each photo with the person's Local ID (<code>123456.jpg</code>), or upload a photographer's zip.
      They go through exactly the same checks as files sent over SFTP.`,
    action: '/photos/upload',
    label: 'Drop photos or a zip here, or choose files',
    accept: '.jpg,.jpeg,.png,.gif,.zip,image/jpeg,image/png,image/gif,application/zip',
  });

function coverageCard(p: PhotosDeskProps): Html {
  const c = p.coverage;
  if (c.kind === 'beyondCount') {
    return html`<section class="card">
  <h2>Coverage</h2>
  <p>More than ${c.activeMoreThan.toLocaleString('en-US')} active people: too many to count on every visit. For a school's coverage,
    filter the <a href="/people?photo=no">People page</a> by school and photo.</p>
</section>`;
  }
  const school = (code: string) => (code ? schoolName(p.schoolNames, code) : html`<span class="muted">No school</span>`);
  const line = (s: SchoolCoverage) => row(school(s.school), s.active, s.withPhoto, percent(s.withPhoto, s.active));
  return html`<section class="card">
  <h2>Coverage</h2>
  <p>${c.withPhoto} of ${c.active} active people have a photo (${percent(c.withPhoto, c.active)}).</p>
  ${c.bySchool.length
    ? html`<table>${headRow('School', 'Active', 'With photo', 'Coverage')}
  <tbody>${c.bySchool.map(line)}</tbody></table>`
    : ''}
</section>`;
}

function missingCard(p: PhotosDeskProps): Html {
  const c = p.coverage;
  const count = c.kind === 'counted' ? c.active - c.withPhoto : c.withoutPhoto;
  const more = c.kind === 'beyondCount' && c.moreWithoutPhoto;
  const item = (person: Person) => html`<li>${personLink(person, undefined)} <span class="muted">${idSchoolGrade(person)}</span></li>`;
  const csv = html`<a class="button secondary" href="/photos/missing.csv" download>Download the list (CSV) for retake day</a>`;
  const howMany = more ? `More than ${count.toLocaleString('en-US')} active people have` : `${count} active ${count === 1 ? 'person has' : 'people have'}`;
  return html`<section class="card">
  <h2>No photo yet</h2>
  <p><a href="/photos/retakes">Retake list</a>: by school, with photos to check and old ones too, printable and for the photographer.</p>
  ${count === 0
    ? html`<p>Everyone active has a photo.</p>`
    : html`<p>${howMany} no photo. ${csv}</p>
  <ul class="plain">${p.missing.map(item)}</ul>
  ${more ? html`<p class="muted">and more in the CSV.</p>` : count > p.missing.length ? html`<p class="muted">and ${count - p.missing.length} more in the CSV.</p>` : ''}`}
</section>`;
}

function unmatchedCard(p: PhotosDeskProps): Html | string {
  if (!p.unmatched.length) return '';
  const assign = (e: PublicEvent, i: number) => {
    const fields = html`${hidden('file', e.file)}
      <label class="visually-hidden" for="assign-${i}">Local ID of the person in ${e.file}</label>
      <input id="assign-${i}" name="localId" required maxlength="64" autocomplete="off" placeholder="Local ID">
      <button type="submit">Assign</button>`;
    return postForm('/photos/assign', p.csrf, fields, 'inline');
  };
  return html`<section class="card">
  <h2>Photos waiting for their person</h2>
  <p class="muted">No one has these Local IDs yet. They are linked by themselves when a roster brings the person;
    if the name is simply wrong, give the right Local ID and the file is renamed in the drop box and goes through the intake again.</p>
  <table>${headRow('File', 'Received', 'Assign to')}
  <tbody>${p.unmatched.map((e, i) => row(html`<code>${e.file}</code>`, timeEl(e.at), assign(e, i)))}</tbody></table>
</section>`;
}

function eventRow(e: PublicEvent): Html {
  const linked = e.localId && e.outcome === 'linked' ? html`<a href="${personHref({ localId: e.localId })}">${e.localId}</a>` : e.localId;
  const outcome = html`<span class="outcome outcome-${e.outcome}">${OUTCOME_LABELS[e.outcome] ?? e.outcome}</span>`;
  return row(timeEl(e.at), html`<code>${e.file}</code>`, SOURCE_LABELS[e.source] ?? 'Package', outcome, linked ?? '', e.message);
}

function eventsCard(p: PhotosDeskProps): Html {
  const choice = (o: string) => html`<option value="${o}"${o === p.outcome ? html` selected` : ''}>${OUTCOME_LABELS[o]}</option>`;
  return html`<section class="card">
  <h2>Recent photo files</h2>
  <form class="filters" method="get" action="/photos">
    <div class="field">
      <label for="outcome">Outcome</label>
      <select id="outcome" name="outcome"><option value="">Any outcome</option>${OUTCOMES.map(choice)}</select>
    </div>
    <div class="field"><button type="submit">Filter</button></div>
  </form>
  ${p.events.length === 0
    ? html`<p class="muted">Nothing yet. Photos arrive over SFTP in <code>idphotos/</code>, or from the upload above.</p>`
    : html`<table>${headRow('When', 'File', 'From', 'Outcome', 'Person', 'Details')}
  <tbody>${p.events.map(eventRow)}</tbody></table>`}
</section>`;
}

/**
 * The Photos desk: uploading, coverage per school, who has no photo yet,
 * photos waiting for their person, and what became of each delivery.
 */
export function photosDeskView(p: PhotosDeskProps): Html {
  return html`<h1>Photos</h1>
${flashBlock(p.flash)}
${p.mayUpload ? uploadCard(p.csrf) : ''}
<div class="columns">
${coverageCard(p)}
${missingCard(p)}
</div>
${deliveriesCard('Photo deliveries', p.deliveries, html`Each SFTP session, browser upload or photographer's package that brings photos is reported here.`)}
${unmatchedCard(p)}
${eventsCard(p)}
<script src="/assets/upload.js" defer></script>`;
}

/** The retake-day list: every active person without a photo, one CSV row each, with a byte-order mark for Excel. */
export function missingPhotosCsv(people: Person[]): string {
  const head = csvLine(['Local ID', 'First Name', 'Last Name', 'Role', 'School', 'Grade', 'Email']);
  const lines = people.map((p) => csvLine([p.localId, p.firstName, p.lastName, p.role, p.school, p.grade, p.email]));
  return `\ufeff${head}${lines.join('')}`;
}
