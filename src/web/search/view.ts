import type { Device } from '../../devices/devices.js';
import type { Person } from '../../people/people.js';
import { html, type Html } from '../html.js';
import type { PhotoSrcs } from '../views/avatar.js';
import { deviceHref, personLink } from '../views/links.js';
import { headRow, row } from '../views/table.js';

export interface SearchProps {
  q: string;
  people: { shown: Person[]; total: number; more: boolean };
  devices: { shown: Device[]; more: boolean };
  faces: ReadonlyMap<number, PhotoSrcs>;
}

/** How many of how many a list shows, so a short list never hides that more exist. */
const countLine = (shown: number, total: number | 'more', noun: string): Html =>
  total === 'more'
    ? html`<p class="muted">The first ${shown} ${noun}; type more to narrow them.</p>`
    : shown < total
      ? html`<p class="muted">${shown} of ${total} ${noun}; type more to narrow them.</p>`
      : html`<p class="muted">${total} ${noun}.</p>`;

function peopleCard(p: SearchProps): Html {
  const { shown, total, more } = p.people;
  if (shown.length === 0) return html`<section class="card"><h2>People</h2><p>No one's name, Local ID or e-mail starts with “${p.q}”.</p></section>`;
  return html`<section class="card"><h2>People</h2>
${countLine(shown.length, more ? 'more' : total, 'people')}
<div class="scroll"><table>${headRow('Name', 'Local ID', 'School', 'Grade')}
<tbody>${shown.map((x) => row(personLink(x, p.faces.get(x.id)), x.localId, x.school, x.grade))}</tbody></table></div>
</section>`;
}

function devicesCard(p: SearchProps): Html {
  const { shown, more } = p.devices;
  if (shown.length === 0) return html`<section class="card"><h2>Devices</h2><p>No device's asset tag, serial number or model starts with “${p.q}”.</p></section>`;
  return html`<section class="card"><h2>Devices</h2>
${countLine(shown.length, more ? 'more' : shown.length, 'devices')}
<div class="scroll"><table>${headRow('Asset tag', 'Model', 'Serial number')}
<tbody>${shown.map((d) => row(html`<a href="${deviceHref(d)}">${d.assetTag}</a>`, d.model, d.serialNumber))}</tbody></table></div>
</section>`;
}

/** The header search's answer when the text is not one exact tag or Local ID: who and what starts with it. */
export function searchView(p: SearchProps): Html {
  if (!p.q) return html`<h1>Search</h1><p class="card">Type a name, a Local ID, an e-mail, an asset tag, a serial number or a model in the search box above.</p>`;
  return html`<h1>Search: “${p.q}”</h1>
<div class="search-results">
${peopleCard(p)}
${devicesCard(p)}
</div>`;
}
