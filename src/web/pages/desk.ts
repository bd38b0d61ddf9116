import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { checkIn, checkOut, checkoutsOfDevice, deviceHolder, recentCheckouts } from '../../checkouts/checkouts.js';
import { devicesByIds, findDevice, getDevice, type Device } from '../../devices/devices.js';
import { fullName, matchPerson, peopleByIds, searchPeople, type Person } from '../../people/people.js';
import { LanyardError } from '../../shared/errors.js';
import { pageAuth } from '../auth.js';
import { html, type Html } from '../html.js';
import { face } from '../views/avatar.js';
import { csrfField, field, flashBlock, formError, sendPage, timeEl, type Flash, type PageDeps } from './common.js';
import { deviceHref } from './devices.js';
import { personHref } from './people.js';

type DeskQuery = { assetTag?: string; person?: string; done?: string; tag?: string };

/** A person typed or scanned at the desk: Local ID first (a card), then email or name. */
async function findAtDesk(deps: PageDeps, districtId: number, text: string): Promise<Person[]> {
  const m = await matchPerson(deps.db, districtId, text);
  if (m.kind === 'matched') return [m.person];
  if (m.kind === 'ambiguous') return m.candidates;
  return (await searchPeople(deps.db, districtId, { text, limit: 12, offset: 0 })).people;
}

/**
 * The rapid check-out desk, built for a barcode scanner (which types and
 * presses Enter): scan the asset tag, then the person's card (or type a
 * name), see their face large, press Enter again to confirm. Plain forms and
 * GET links, so it works without JavaScript; public/desk.js only keeps the
 * cursor where the next scan goes.
 */
export function deskPages(deps: PageDeps): FastifyPluginAsync {
  const { db } = deps;

  async function recent(districtId: number): Promise<Html> {
    const rows = await recentCheckouts(db, districtId, 8);
    if (rows.length === 0) return html``;
    const [people, devices] = await Promise.all([peopleByIds(db, districtId, rows.map((c) => c.personId)), devicesByIds(db, districtId, rows.map((c) => c.deviceId))]);
    const faces = await deps.faces(districtId, [...people.keys()]);
    return html`<section class="card"><h2>Recent at the desk</h2><table><thead><tr><th scope="col">Device</th><th scope="col">Person</th><th scope="col">Out</th><th scope="col">In</th></tr></thead><tbody>${rows.map((c) => {
      const p = people.get(c.personId);
      const d = devices.get(c.deviceId);
      return html`<tr><td>${d ? html`<a href="${deviceHref(d)}">${d.assetTag}</a>` : ''}</td><td>${p ? html`<a class="who" href="${personHref(p)}">${face({ ...p, photo: faces.get(p.id) }, 'thumb', { lazy: true })}<span>${fullName(p)}</span></a>` : ''}</td><td>${timeEl(c.checkedOutAt)}</td><td>${c.checkedIn ? timeEl(c.checkedIn.at) : ''}</td></tr>`;
    })}</tbody></table></section>`;
  }

  const checkinForm = (req: FastifyRequest, autofocus: boolean) => html`<section class="card">
  <h2>Check in</h2>
  <form class="scan" method="post" action="/desk/checkin">${csrfField(req)}
    <label for="checkin-tag">Asset tag of the returned device</label>
    <input id="checkin-tag" name="assetTag" required maxlength="64" autocomplete="off"${autofocus ? html` autofocus data-autofocus` : ''}>
    <button type="submit" class="secondary">Check in</button>
  </form>
</section>`;

  /** Step 1: the asset tag. */
  function stepTag(req: FastifyRequest, value = ''): Html {
    return html`<section class="card">
  <h2>Check out</h2>
  <form class="scan" method="get" action="/desk">
    <label for="assetTag">Scan or type the device's asset tag</label>
    <input id="assetTag" name="assetTag" required maxlength="64" autocomplete="off" value="${value}" autofocus data-autofocus>
    <button type="submit">Next</button>
  </form>
</section>
${checkinForm(req, false)}`;
  }

  /** Step 2: the person, for a device that is free. */
  function stepPerson(device: Device, value = '', candidates: Html = html``): Html {
    return html`<section class="card">
  <h2>Check out <a href="${deviceHref(device)}">${device.assetTag}</a> <span class="muted">${device.model}</span></h2>
  <form class="scan" method="get" action="/desk">
    <input type="hidden" name="assetTag" value="${device.assetTag}">
    <label for="person">Scan the ID card, or type a Local ID, email or name</label>
    <input id="person" name="person" required maxlength="200" autocomplete="off" value="${value}" autofocus data-autofocus>
    <button type="submit">Find</button>
    <a href="/desk">Start over</a>
  </form>
  ${candidates}
</section>`;
  }

  async function render(req: FastifyRequest<{ Querystring: DeskQuery }>, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const assetTag = field(req.query, 'assetTag');
    const personText = field(req.query, 'person');
    let main: Html;
    if (!assetTag) {
      main = stepTag(req);
    } else {
      const device = await findDevice(db, districtId, assetTag);
      const holder = device && (await deviceHolder(db, districtId, device.id));
      if (!device) {
        flash = { error: `No device has asset tag ${assetTag}: check the label, or add the device on the Devices page first.` };
        status = 404;
        main = stepTag(req, assetTag);
      } else if (holder) {
        // Scanning a device that is out is usually a return: offer the check-in right there.
        const faces = await deps.faces(districtId, [holder.person.id]);
        main = html`<section class="card confirm">
  <h2><a href="${deviceHref(device)}">${device.assetTag}</a> is checked out</h2>
  <div class="confirm-person">${face({ ...holder.person, photo: faces.get(holder.person.id) }, 'profile')}
    <div><p class="big"><a href="${personHref(holder.person)}">${fullName(holder.person)}</a></p><p class="muted">Local ID ${holder.person.localId}</p><p>Since ${timeEl(holder.checkout.checkedOutAt)}</p></div>
  </div>
  <form method="post" action="/desk/checkin">${csrfField(req)}<input type="hidden" name="assetTag" value="${device.assetTag}">
    <button type="submit" autofocus data-autofocus>Check it in</button> <a href="/desk">Cancel</a></form>
</section>`;
      } else if (device.state !== 'available') {
        flash = { error: `${device.assetTag} is marked ${device.state}: set it back to available on its page before checking it out.` };
        status = 409;
        main = stepTag(req);
      } else if (!personText) {
        main = stepPerson(device);
      } else {
        const found = await findAtDesk(deps, districtId, personText);
        const faces = await deps.faces(districtId, found.map((p) => p.id));
        if (found.length === 1) {
          const p = found[0]!;
          // Step 3: the face, large, to compare with the person at the desk before anything is saved.
          main = html`<section class="card confirm">
  <h2>Check out <a href="${deviceHref(device)}">${device.assetTag}</a> to</h2>
  <div class="confirm-person">${face({ ...p, photo: faces.get(p.id) }, 'desk')}
    <div><p class="big">${fullName(p)}</p>
    <dl class="facts"><dt>Local ID</dt><dd>${p.localId}</dd><dt>School</dt><dd>${p.school ?? '—'}</dd><dt>Grade</dt><dd>${p.grade ?? '—'}</dd><dt>Status</dt><dd>${p.active ? 'Active' : html`<span class="tag">Inactive</span>`}</dd></dl>
    ${faces.has(p.id) ? '' : html`<p class="tag warn">No photo on file: check their ID another way.</p>`}
    </div>
  </div>
  ${p.active
    ? html`<form method="post" action="/desk/checkout">${csrfField(req)}
    <input type="hidden" name="assetTag" value="${device.assetTag}"><input type="hidden" name="localId" value="${p.localId}">
    <button type="submit" autofocus data-autofocus>Confirm check-out</button>
    <a href="/desk?assetTag=${encodeURIComponent(device.assetTag)}">Not them</a>
  </form>`
    : html`<p class="error" role="alert">${fullName(p)} is inactive in the roster: devices go only to active students and staff.</p>
  <p><a class="button" href="/desk?assetTag=${encodeURIComponent(device.assetTag)}" autofocus data-autofocus>Someone else</a></p>`}
</section>`;
        } else if (found.length === 0) {
          flash = { error: `No one matches "${personText}": try the Local ID on their card, or part of their name.` };
          status = 404;
          main = stepPerson(device, personText);
        } else {
          main = stepPerson(
            device,
            personText,
            html`<h3>Who is it?</h3><ul class="choices">${found.map(
              (p) => html`<li><a class="who" href="/desk?assetTag=${encodeURIComponent(device.assetTag)}&amp;person=${encodeURIComponent(p.localId)}">${face({ ...p, photo: faces.get(p.id) }, 'thumb', { lazy: true })}<span>${fullName(p)} <span class="muted">${p.localId}${p.school ? ` · ${p.school}` : ''}${p.grade ? ` · grade ${p.grade}` : ''}</span></span></a></li>`,
            )}</ul>`,
          );
        }
      }
    }
    const body = html`<h1>Check-out desk</h1>
${flashBlock(flash)}
${await doneNotice(req)}
<div class="desk">${main}</div>
${await recent(districtId)}
<script src="/assets/desk.js" defer></script>`;
    return sendPage(req, reply, 'desk', 'Check-out desk', body, status);
  }

  /** After a redirect: what was just saved, read back from the database (nothing is trusted from the URL). */
  async function doneNotice(req: FastifyRequest<{ Querystring: DeskQuery }>): Promise<Html> {
    const tag = field(req.query, 'tag');
    const done = field(req.query, 'done');
    if (!tag || (done !== 'out' && done !== 'in')) return html``;
    const device = await findDevice(db, req.district.id, tag);
    if (!device) return html``;
    const [last] = await checkoutsOfDevice(db, req.district.id, device.id, 1);
    const person = last && (await peopleByIds(db, req.district.id, [last.personId])).get(last.personId);
    if (!person) return html``;
    return done === 'out'
      ? html`<p class="notice" role="status">${device.assetTag} is checked out to ${fullName(person)}. Scan the next device.</p>`
      : html`<p class="notice" role="status">${device.assetTag} is checked in from ${fullName(person)}.</p>`;
  }

  const write = { preHandler: pageAuth('checkouts:write') };

  return async (app) => {
    app.get<{ Querystring: DeskQuery }>('/desk', write, (req, reply) => render(req, reply));

    app.post<{ Body: Record<string, string | undefined>; Querystring: DeskQuery }>('/desk/checkout', write, async (req, reply) => {
      const assetTag = field(req.body, 'assetTag');
      try {
        await checkOut(db, req.district.id, { assetTag, localId: field(req.body, 'localId'), by: req.session!.staff.email });
        return reply.redirect(`/desk?done=out&tag=${encodeURIComponent(assetTag)}`, 303);
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });

    app.post<{ Body: Record<string, string | undefined>; Querystring: DeskQuery }>('/desk/checkin', write, async (req, reply) => {
      const assetTag = field(req.body, 'assetTag');
      try {
        if (!assetTag) throw new LanyardError('invalid', 'Scan or type the asset tag of the device being returned.');
        await getDevice(db, req.district.id, assetTag);
        await checkIn(db, req.district.id, { assetTag, by: req.session!.staff.email });
        return reply.redirect(`/desk?done=in&tag=${encodeURIComponent(assetTag)}`, 303);
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });
  };
}
