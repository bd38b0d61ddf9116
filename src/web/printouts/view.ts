import type { CheckoutReceipt, DamageForm } from '../../printouts/printouts.js';
import type { Person } from '../../people/people.js';
import { fullName } from '../../people/name.js';
import { html, type Html } from '../html.js';
import { face, type PhotoSrcs } from '../views/avatar.js';
import { schoolName, timeEl } from '../views/format.js';
import { INCIDENT_STATUS_LABELS, INCIDENT_TYPE_LABELS, PERSON_ROLE_LABELS } from '../views/labels.js';
import { deviceHref, incidentHref } from '../views/links.js';

/**
 * The papers a desk prints: laid out for A4 and Letter by the print
 * stylesheet (public/app.css), with a Print button and a way back that the
 * paper leaves out. print.js wires the button (no inline script: the CSP).
 */

export const receiptHref = (c: { id: number }): string => `/checkouts/${c.id}/receipt`;
export const damageFormHref = (i: { id: number }): string => `/incidents/${i.id}/damage-form`;

const printBar = (back: string, backLabel: string) => html`<p class="print-bar no-print">
  <button type="button" data-print>Print</button>
  <a href="${back}">${backLabel}</a>
</p>
<script src="/assets/print.js" defer></script>`;

const signatures = (lines: string[]) =>
  html`<div class="signatures">${lines.map((l) => html`<div class="signature"><span class="sign-line"></span><span>${l}</span></div>`)}</div>`;

function personFacts(person: Person | undefined, photo: PhotoSrcs | undefined, schools: ReadonlyMap<string, string | null>): Html {
  if (!person) return html`<p class="muted">This person is no longer in the roster.</p>`;
  return html`<div class="paper-person">
    ${face({ ...person, photo }, 'thumb')}
    <dl class="facts">
      <dt>Name</dt><dd>${fullName(person)}</dd>
      <dt>Local ID</dt><dd>${person.localId}</dd>
      <dt>Role</dt><dd>${PERSON_ROLE_LABELS[person.role]}</dd>
      <dt>School</dt><dd>${schoolName(schools, person.school) || '—'}</dd>
      <dt>Grade</dt><dd>${person.grade ?? '—'}</dd>
    </dl>
  </div>`;
}

export interface ReceiptProps {
  districtName: string;
  receipt: CheckoutReceipt;
  photo: PhotoSrcs | undefined;
  schools: ReadonlyMap<string, string | null>;
}

/** A check-out receipt: the device, the person (their face), when and by whom, and lines to sign. */
export function receiptView(p: ReceiptProps): Html {
  const { checkout, device, person } = p.receipt;
  const tag = device?.assetTag ?? '?';
  return html`${printBar(device ? deviceHref(device) : '/devices', device ? `Back to ${tag}` : 'Back to devices')}
<article class="paper card">
  <h1>Device check-out receipt</h1>
  <p class="muted">${p.districtName} · receipt no. ${checkout.id}</p>
  <div class="columns">
  <section>
    <h2>Device</h2>
    <dl class="facts">
      <dt>Asset tag</dt><dd>${tag}</dd>
      <dt>Model</dt><dd>${device?.model || '—'}</dd>
      <dt>Serial number</dt><dd>${device?.serialNumber || '—'}</dd>
    </dl>
  </section>
  <section>
    <h2>Checked out to</h2>
    ${personFacts(person, p.photo, p.schools)}
  </section>
  </div>
  <dl class="facts">
    <dt>Checked out</dt><dd>${timeEl(checkout.checkedOutAt)}</dd>
    <dt>By</dt><dd>${checkout.checkedOutBy}</dd>
    ${checkout.undone ? html`<dt>Undone</dt><dd>${timeEl(checkout.undone.at)} by ${checkout.undone.by}: this check-out was a mistake</dd>` : ''}
    ${checkout.checkedIn && !checkout.undone ? html`<dt>Checked in</dt><dd>${timeEl(checkout.checkedIn.at)} by ${checkout.checkedIn.by}</dd>` : ''}
  </dl>
  <p>I have received the device above in working order and will return it when asked, and at the end of the school year.</p>
  ${signatures(['Signature of the student or parent', 'Date', 'Signature of staff'])}
</article>`;
}

export interface DamageFormProps {
  districtName: string;
  form: DamageForm;
  photo: PhotoSrcs | undefined;
  schools: ReadonlyMap<string, string | null>;
}

/** A damage form for an incident: what happened to which device with whom, room to assess it, lines to sign. */
export function damageFormView(p: DamageFormProps): Html {
  const { incident: i, device, person, heldBy } = p.form;
  const held =
    heldBy === undefined || !person
      ? ''
      : html`<p class="warning">${fullName(person)} did not hold this device when the incident was opened: ${heldBy ? `${fullName(heldBy)} (${heldBy.localId}) had it checked out` : 'it was not checked out to anyone'}.</p>`;
  return html`${printBar(incidentHref(i), `Back to incident #${i.id}`)}
<article class="paper card">
  <h1>Damage form: incident #${i.id}</h1>
  <p class="muted">${p.districtName}</p>
  ${held}
  <dl class="facts">
    <dt>Type</dt><dd>${INCIDENT_TYPE_LABELS[i.type]}</dd>
    <dt>Status</dt><dd>${INCIDENT_STATUS_LABELS[i.status]}</dd>
    <dt>Opened</dt><dd>${timeEl(i.openedAt)} by ${i.openedBy}</dd>
  </dl>
  <div class="columns">
  <section>
    <h2>Device</h2>
    <dl class="facts">
      <dt>Asset tag</dt><dd>${device?.assetTag ?? '—'}</dd>
      <dt>Model</dt><dd>${device?.model || '—'}</dd>
      <dt>Serial number</dt><dd>${device?.serialNumber || '—'}</dd>
    </dl>
  </section>
  <section>
    <h2>Person</h2>
    ${personFacts(person, p.photo, p.schools)}
  </section>
  </div>
  <h2>What happened</h2>
  <p class="prewrap">${i.description || html`<span class="muted">None given.</span>`}</p>
  <h2>Assessment and cost</h2>
  <div class="write-lines"><span></span><span></span><span></span><span></span></div>
  ${signatures(['Signature of the student or parent', 'Date', 'Signature of staff'])}
</article>`;
}
