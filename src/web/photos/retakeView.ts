import type { RetakeEntry } from '../../photos/retakes.js';
import { reasonText } from '../../photos/retakes.js';
import { fullName } from '../../people/name.js';
import { html, type Html } from '../html.js';
import { flashBlock, type Flash } from '../views/flash.js';
import { schoolName } from '../views/format.js';
import { headRow, row } from '../views/table.js';

export interface RetakeListProps {
  flash: Flash;
  schools: string[];
  schoolNames: ReadonlyMap<string, string | null>;
  /** What was asked: a school code ('' for all) and a YYYY-MM-DD date ('' for none). */
  school: string;
  before: string;
  /** Null when the question could not be answered (a bad date): the flash says why. */
  entries: RetakeEntry[] | null;
}

const query = (p: RetakeListProps) => new URLSearchParams({ ...(p.school ? { school: p.school } : {}), ...(p.before ? { before: p.before } : {}) }).toString();

function filters(p: RetakeListProps): Html {
  const option = (code: string, label: string) => html`<option value="${code}"${code === p.school ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters no-print" method="get" action="/photos/retakes">
  <div class="field">
    <label for="school">School</label>
    <select id="school" name="school">${option('', 'Every school')}${p.schools.map((s) => option(s, schoolName(p.schoolNames, s)))}</select>
  </div>
  <div class="field">
    <label for="before">Also photos delivered before</label>
    <input id="before" name="before" type="date" value="${p.before}">
  </div>
  <div class="field"><button type="submit">Show</button></div>
</form>`;
}

/** One school's people, each on a line a photographer can tick off. */
function schoolSection(p: RetakeListProps, code: string | null, entries: RetakeEntry[]): Html {
  const title = code === null ? 'No school' : schoolName(p.schoolNames, code);
  const line = (e: RetakeEntry) => row(fullName(e.person), e.person.localId, e.person.grade ?? '', e.reasons.map(reasonText).join('; '));
  return html`<section class="card retake-school">
  <h2>${title} <span class="muted">(${entries.length} ${entries.length === 1 ? 'person' : 'people'})</span></h2>
  <table class="retakes">${headRow('Name', 'Local ID', 'Grade', 'Reason')}
  <tbody>${entries.map(line)}</tbody></table>
</section>`;
}

/** The printable retake list, school by school, with the photographers' CSV beside it. */
export function retakeListView(p: RetakeListProps): Html {
  const bySchool = new Map<string | null, RetakeEntry[]>();
  for (const e of p.entries ?? []) {
    const list = bySchool.get(e.person.school) ?? [];
    list.push(e);
    bySchool.set(e.person.school, list);
  }
  const csvHref = `/photos/retakes.csv${query(p) ? `?${query(p)}` : ''}`;
  const body =
    p.entries === null
      ? ''
      : p.entries.length === 0
        ? html`<p>Everyone active${p.school ? ' in this school' : ''} has a photo with nothing to check${p.before ? ', delivered since that day' : ''}.</p>`
        : html`<p class="no-print">${p.entries.length} ${p.entries.length === 1 ? 'person needs' : 'people need'} a photo.
    <a class="button secondary" href="${csvHref}" download>Download for the photographer (CSV)</a> Print this page for the day itself.</p>
  ${[...bySchool].map(([code, entries]) => schoolSection(p, code, entries))}`;
  return html`<h1>Retake list</h1>
${flashBlock(p.flash)}
<p class="muted no-print">Every active person without a photo, with a photo the quality checks flagged, or (if you choose a date) with a photo delivered before it.
  After retake day, the photographer's package goes into <code>idphotos</code> as always, and its delivery report shows what it fixed.</p>
${filters(p)}
${body}`;
}
