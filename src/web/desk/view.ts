import type { Checkout } from '../../checkouts/checkouts.js';
import type { DeskAction } from '../../checkouts/undo.js';
import type { Device } from '../../devices/devices.js';
import type { Incident } from '../../incidents/incidents.js';
import type { Person } from '../../people/people.js';
import { html, type Html } from '../html.js';
import { fullName } from '../../people/name.js';
import { face, type PhotoSrcs } from '../views/avatar.js';
import { flashBlock, type Flash } from '../views/flash.js';
import { activeOrTag, idSchoolGrade, timeEl } from '../views/format.js';
import { csrfField, hidden, postForm } from '../views/forms.js';
import { headRow, row } from '../views/table.js';
import { deskHref, deviceLink, incidentHref, nameLink, personLink } from '../views/links.js';
import { INCIDENT_STATUS_LABELS, INCIDENT_TYPE_LABELS } from '../views/labels.js';

/** Where the desk is in its loop: asset tag, then person, then a look at their face before anything is saved. */
export type DeskStep =
  /** `incidents`: of a device just refused, so the refusal names what holds it. */
  | { step: 'tag'; value: string; refused?: { device: Device; incidents: Incident[] } }
  /** The device scanned is out: usually a return, so the check-in is offered right there. */
  | { step: 'holder'; device: Device; holder: { checkout: Checkout; person: Person }; photo: PhotoSrcs | undefined; incidents: Incident[] }
  /** Who gets the device; `candidates` when what was typed could be several people. */
  | { step: 'person'; device: Device; value: string; candidates?: PickList; incidents: Incident[] }
  | { step: 'confirm'; device: Device; person: Person; photo: PhotoSrcs | undefined; incidents: Incident[] };

/** The desk's latest check-outs and check-ins, with who and what. */
export interface DeskRecent {
  rows: Checkout[];
  people: ReadonlyMap<number, Person>;
  devices: ReadonlyMap<number, Device>;
  faces: ReadonlyMap<number, PhotoSrcs>;
}

export interface DeskProps {
  flash: Flash;
  csrf: string;
  /**
   * What was just saved, read back from the database after the redirect:
   * `undoSeconds` while Undo is still offered, `incidents` still open on the device.
   */
  done: { action: DeskAction; undoSeconds: number | undefined; incidents: Incident[] } | undefined;
  /** What was just undone (after the Undo's redirect). */
  undone: DeskAction | undefined;
  /** Which scan field takes the cursor: that of the action just done. */
  focus: ScanField;
  step: DeskStep;
  recent: DeskRecent;
}

/** Which scan field takes the cursor: the one of the action just done, so a run of returns stays a run. */
export type ScanField = 'out' | 'in';
const focusHere = (f: ScanField, here: ScanField) => (f === here ? html` autofocus data-autofocus` : '');

const checkinCard = (csrf: string, focus: ScanField) => html`<section class="card">
  <h2>Check in</h2>
  <form class="scan" method="post" action="/desk/checkin">${csrfField(csrf)}
    <label for="checkin-tag">Asset tag of the returned device</label>
    <input id="checkin-tag" name="assetTag" required maxlength="64" autocomplete="off"${focusHere(focus, 'in')}>
    <button type="submit" class="secondary">Check in</button>
  </form>
</section>`;

/** Step 1: the asset tag (and checking a device in). */
const tagStep = (csrf: string, s: Extract<DeskStep, { step: 'tag' }>, focus: ScanField) => html`<section class="card">
  <h2>Check out</h2>
  ${s.refused ? incidentWarning(s.refused.device, s.refused.incidents) : ''}
  <form class="scan" method="get" action="/desk">
    <label for="assetTag">Scan or type the device's asset tag</label>
    <input id="assetTag" name="assetTag" required maxlength="64" autocomplete="off" value="${s.value}"${focusHere(focus, 'out')}>
    <button type="submit">Next</button>
  </form>
</section>
${checkinCard(csrf, focus)}`;

const choice = (d: Device, p: Person, photo: PhotoSrcs | undefined) => {
  const href = `${deskHref(d)}&person=${encodeURIComponent(p.localId)}`;
  const who = html`${fullName(p)} <span class="muted">${idSchoolGrade(p)}</span>`;
  return html`<li><a class="who" href="${href}">${face({ ...p, photo }, 'thumb', { lazy: true })}<span>${who}</span></a></li>`;
};

/** The people a name could be, and how many match in all (`more`: beyond what was counted). */
export interface PickList {
  people: Person[];
  faces: ReadonlyMap<number, PhotoSrcs>;
  total: number;
  more: boolean;
}

/** "12 of 159, type more": a cut list says it is cut, so nobody scrolls for a name that is not there. */
const pickListCount = (c: PickList): Html | '' =>
  c.more || c.total > c.people.length
    ? html`<p class="muted" role="status">${c.people.length} of ${c.more ? `more than ${c.total.toLocaleString('en-US')}` : c.total.toLocaleString('en-US')}, type more of the name or the Local ID.</p>`
    : '';

/** "3 Dec" (with the year when not this one): when an incident was opened, at a glance. */
function openedOn(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const day = `${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })}`;
  return d.getUTCFullYear() === new Date().getUTCFullYear() ? day : `${day} ${d.getUTCFullYear()}`;
}

/** "Screen cracked, In repair (opened 3 Dec)": an incident in one line (its description's start, or its type). */
export function incidentLine(i: Incident): string {
  const first = i.description.split('\n')[0]?.trim() ?? '';
  const what = first ? (first.length > 60 ? `${first.slice(0, 59)}…` : first) : INCIDENT_TYPE_LABELS[i.type];
  return `${what}, ${INCIDENT_STATUS_LABELS[i.status]} (opened ${openedOn(i.openedAt)})`;
}

/**
 * A device's open incidents, shown before it changes hands: a warning, not a
 * refusal (a cracked screen may still go out), so the technician decides knowing.
 */
export function incidentWarning(d: Device, incidents: readonly Incident[]): Html | '' {
  if (incidents.length === 0) return '';
  const link = (i: Incident) => html`<a href="${incidentHref(i)}">${incidentLine(i)}</a>`;
  if (incidents.length === 1) return html`<p class="warning incident-warning" role="status">${d.assetTag} has an open incident: ${link(incidents[0]!)}</p>`;
  return html`<div class="warning incident-warning" role="status"><p>${d.assetTag} has ${incidents.length} open incidents:</p>
  <ul>${incidents.map((i) => html`<li>${link(i)}</li>`)}</ul></div>`;
}

/** Step 2: the person, for a device that is free. */
function personStep(s: Extract<DeskStep, { step: 'person' }>): Html {
  const d = s.device;
  const candidates = s.candidates
    ? html`<h3>Who is it?</h3>${pickListCount(s.candidates)}<ul class="choices">${s.candidates.people.map((p) => choice(d, p, s.candidates?.faces.get(p.id)))}</ul>`
    : html``;
  return html`<section class="card">
  <h2>Check out ${deviceLink(d)} <span class="muted">${d.model}</span></h2>
  ${incidentWarning(d, s.incidents)}
  <form class="scan" method="get" action="/desk">
    <input type="hidden" name="assetTag" value="${d.assetTag}">
    <label for="person">Scan the ID card, or type a Local ID, email or name</label>
    <input id="person" name="person" required maxlength="200" autocomplete="off" value="${s.value}" autofocus data-autofocus>
    <button type="submit">Find</button>
    <a href="/desk">Start over</a>
  </form>
  ${candidates}
</section>`;
}

function holderStep(csrf: string, s: Extract<DeskStep, { step: 'holder' }>): Html {
  const p = s.holder.person;
  const since = html`<p>Since ${timeEl(s.holder.checkout.checkedOutAt)}</p>`;
  const checkIn = html`${hidden('assetTag', s.device.assetTag)}
    <button type="submit" autofocus data-autofocus>Check it in</button> <a href="/desk">Cancel</a>`;
  return html`<section class="card confirm">
  <h2>${deviceLink(s.device)} is checked out</h2>
  ${incidentWarning(s.device, s.incidents)}
  <div class="confirm-person">${face({ ...p, photo: s.photo }, 'profile')}
    <div><p class="big">${nameLink(p)}</p><p class="muted">Local ID ${p.localId}</p>${since}</div>
  </div>
  ${postForm('/desk/checkin', csrf, checkIn)}
</section>`;
}

/** Step 3: the face, large, to compare with the person at the desk; an inactive person is refused here already. */
function confirmStep(csrf: string, s: Extract<DeskStep, { step: 'confirm' }>): Html {
  const { device: d, person: p } = s;
  const facts = html`<dl class="facts">
      <dt>Local ID</dt><dd>${p.localId}</dd><dt>School</dt><dd>${p.school ?? '—'}</dd>
      <dt>Grade</dt><dd>${p.grade ?? '—'}</dd><dt>Status</dt><dd>${activeOrTag(p.active)}</dd>
    </dl>`;
  const confirm = postForm(
    '/desk/checkout',
    csrf,
    html`
    ${hidden('assetTag', d.assetTag)}${hidden('localId', p.localId)}
    <button type="submit" autofocus data-autofocus>Confirm check-out</button>
    <a href="${deskHref(d)}">Not them</a>
  `,
  );
  const inactive = `${fullName(p)} is inactive in the roster: devices go only to active students and staff.`;
  const refused = html`<p class="error" role="alert">${inactive}</p>
  <p><a class="button" href="${deskHref(d)}" autofocus data-autofocus>Someone else</a></p>`;
  return html`<section class="card confirm">
  <h2>Check out ${deviceLink(d)} to</h2>
  ${incidentWarning(d, s.incidents)}
  <div class="confirm-person">${face({ ...p, photo: s.photo }, 'desk')}
    <div><p class="big">${fullName(p)}</p>
    ${facts}
    ${s.photo ? '' : html`<p class="tag warn">No photo on file: check their ID another way.</p>`}
    </div>
  </div>
  ${p.active ? confirm : refused}
</section>`;
}

function step(csrf: string, s: DeskStep, focus: ScanField): Html {
  switch (s.step) {
    case 'tag':
      return tagStep(csrf, s, focus);
    case 'holder':
      return holderStep(csrf, s);
    case 'person':
      return personStep(s);
    case 'confirm':
      return confirmStep(csrf, s);
  }
}

/**
 * Undo, for the minute it is offered: a POST (CSRF) naming the action by its
 * id; desk.js takes the button away when the minute is up, and the server
 * refuses a late one with a reason anyway.
 */
const undoForm = (csrf: string, a: DeskAction, seconds: number): Html =>
  html`<form class="undo" method="post" action="/desk/undo" data-undo-seconds="${String(Math.ceil(seconds))}">${csrfField(csrf)}${hidden('action', `${a.kind}:${String(a.checkout.id)}`)}<button type="submit" class="secondary">Undo</button></form>`;

function doneNotice(csrf: string, done: DeskProps['done']): Html {
  if (!done) return html``;
  const { device, person } = done.action;
  const said =
    done.action.kind === 'checkout'
      ? html`${device.assetTag} is checked out to ${fullName(person)}. Scan the next device.`
      : html`${device.assetTag} is checked in from ${fullName(person)}.`;
  const undo = done.undoSeconds === undefined ? '' : undoForm(csrf, done.action, done.undoSeconds);
  // After a check-in the device is free again: its open incidents say whether it may go straight back out.
  const warning = done.action.kind === 'checkin' ? incidentWarning(device, done.incidents) : '';
  return html`<div class="notice done" role="status"><p>${said}</p>${undo}</div>${warning}`;
}

function undoneNotice(a: DeskAction | undefined): Html {
  if (!a) return html``;
  const { device, person } = a;
  return a.kind === 'checkout'
    ? html`<p class="notice" role="status">Undone: ${device.assetTag} was not checked out to ${fullName(person)} and is available again.</p>`
    : html`<p class="notice" role="status">Undone: ${device.assetTag} is checked out to ${fullName(person)} again, as before the check-in.</p>`;
}

function recentCard(r: DeskRecent): Html {
  if (r.rows.length === 0) return html``;
  const line = (c: Checkout) => {
    const p = r.people.get(c.personId);
    const d = r.devices.get(c.deviceId);
    const back = c.undone ? html`<span class="tag">Undone</span>` : c.checkedIn ? timeEl(c.checkedIn.at) : '';
    return row(d ? deviceLink(d) : '', p ? personLink(p, r.faces.get(p.id)) : '', timeEl(c.checkedOutAt), back);
  };
  return html`<section class="card desk-recent"><h2>Recent at the desk</h2>
  <table>${headRow('Device', 'Person', 'Out', 'In')}<tbody>${r.rows.map(line)}</tbody></table>
</section>`;
}

/**
 * The rapid check-out desk, built for a barcode scanner (which types and
 * presses Enter). Plain forms and GET links, so it works without JavaScript;
 * public/desk.js only keeps the cursor where the next scan goes.
 */
export function deskView(p: DeskProps): Html {
  return html`<h1>Check-out desk</h1>
${flashBlock(p.flash)}
${doneNotice(p.csrf, p.done)}
${undoneNotice(p.undone)}
<div class="desk">${step(p.csrf, p.step, p.focus)}</div>
${recentCard(p.recent)}
<script src="/assets/desk.js" defer></script>`;
}
