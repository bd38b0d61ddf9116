import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { LanyardError } from '../../shared/errors.js';
import { pageAuth } from '../auth.js';
import { parseDeskAction, rowShows, undoUntil, type DeskAction } from '../../checkouts/undo.js';
import { changedBy, csrfOf, field, formError, sendPage } from '../page.js';
import type { Flash } from '../views/flash.js';
import { deskView, incidentLine, type DeskProps, type DeskRecent, type DeskStep, type ScanField } from './view.js';

type DeskQuery = { assetTag?: string; person?: string; done?: string; undone?: string };
type DeskRequest = FastifyRequest<{ Querystring: DeskQuery }>;

/**
 * The rapid check-out desk: scan the asset tag, then the person's card (or
 * type a name), see their face large, press Enter again to confirm. Each step
 * is a GET of /desk with what was scanned so far; saving is a POST and a redirect.
 */
export function deskRoutes(domain: Pick<WebDomain, 'devices' | 'checkouts' | 'people' | 'photos' | 'incidents'>): FastifyPluginAsync {
  const { devices, checkouts, people, photos, incidents } = domain;

  /** Which step the query asks for, and what to say when it cannot be taken. */
  async function stepFor(districtId: number, assetTag: string, personText: string): Promise<{ step: DeskStep; flash?: Flash; status?: number }> {
    if (!assetTag) return { step: { step: 'tag', value: '' } };
    const device = await devices.findDevice(districtId, assetTag);
    if (!device) {
      const error = `No device has asset tag ${assetTag}: check the label, or add the device on the Devices page first.`;
      return { step: { step: 'tag', value: assetTag }, flash: { error }, status: 404 };
    }
    const [holder, open] = await Promise.all([checkouts.deviceHolder(districtId, device.id), incidents.openIncidentsOfDevice(districtId, device.id)]);
    if (holder) {
      const faces = await photos.faces(districtId, [holder.person.id]);
      return { step: { step: 'holder', device, holder, photo: faces.get(holder.person.id), incidents: open } };
    }
    if (device.state !== 'available') {
      const why = open[0] ? ` (open incident: ${incidentLine(open[0])})` : '';
      const error = `${device.assetTag} is marked ${device.state}${why}: set it back to available on its page before checking it out.`;
      return { step: { step: 'tag', value: '', refused: { device, incidents: open } }, flash: { error }, status: 409 };
    }
    if (!personText) return { step: { step: 'person', device, value: '', incidents: open } };
    const lookup = await people.lookUpPerson(districtId, personText);
    const found = lookup.people;
    const faces = await photos.faces(districtId, found.map((p) => p.id));
    if (found.length === 1) return { step: { step: 'confirm', device, person: found[0]!, photo: faces.get(found[0]!.id), incidents: open } };
    if (found.length === 0) {
      const error = `No one matches "${personText}": try the Local ID on their card, or part of their name.`;
      return { step: { step: 'person', device, value: personText, incidents: open }, flash: { error }, status: 404 };
    }
    return { step: { step: 'person', device, value: personText, candidates: { people: found, faces, total: lookup.total, more: lookup.more }, incidents: open } };
  }

  /** The action a redirect names (`checkout:12`), read back from the database: only this district's rows, nothing else trusted from the URL. */
  async function actionOf(districtId: number, raw: string, what: 'done' | 'undone'): Promise<DeskAction | undefined> {
    const named = parseDeskAction(raw);
    const a = named && (await checkouts.findDeskAction(districtId, named.kind, named.id));
    return a && rowShows(a, what) ? a : undefined;
  }

  /** After a check-out or check-in's redirect: the banner, with Undo while it may still be taken. */
  async function done(districtId: number, action: DeskAction | undefined): Promise<DeskProps['done']> {
    if (!action) return undefined;
    const [refusal, open] = await Promise.all([checkouts.undoRefusal(districtId, action), incidents.openIncidentsOfDevice(districtId, action.device.id)]);
    const undoSeconds = refusal ? undefined : Math.max(0, (Date.parse(undoUntil(action)) - Date.now()) / 1000);
    return { action, undoSeconds, incidents: open };
  }

  async function recent(districtId: number): Promise<DeskRecent> {
    const rows = await checkouts.recentCheckouts(districtId, 8);
    const [byId, deviceById] = await Promise.all([
      people.peopleByIds(districtId, rows.map((c) => c.personId)),
      devices.devicesByIds(districtId, rows.map((c) => c.deviceId)),
    ]);
    return { rows, people: byId, devices: deviceById, faces: await photos.faces(districtId, [...byId.keys()]) };
  }

  async function render(req: DeskRequest, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const [s, justDone, undone, recentRows] = await Promise.all([
      stepFor(districtId, field(req.query, 'assetTag'), field(req.query, 'person')),
      actionOf(districtId, field(req.query, 'done'), 'done'),
      actionOf(districtId, field(req.query, 'undone'), 'undone'),
      recent(districtId),
    ]);
    // The cursor goes back to the field of what was just done, so a run of returns (or of check-outs) keeps its rhythm.
    const focus: ScanField = (justDone ?? undone)?.kind === 'checkin' ? 'in' : 'out';
    const body = deskView({
      flash: s.flash ?? flash,
      csrf: csrfOf(req),
      done: await done(districtId, justDone),
      undone,
      focus,
      step: s.step,
      recent: recentRows,
    });
    return sendPage(req, reply, { section: 'desk', title: 'Check-out desk', body, status: s.status ?? status });
  }

  const write = { preHandler: pageAuth('checkouts:write') };

  return async (app) => {
    app.get<{ Querystring: DeskQuery }>('/desk', write, (req, reply) => render(req, reply));

    app.post<{ Body: Record<string, string | undefined>; Querystring: DeskQuery }>('/desk/checkout', write, async (req, reply) => {
      const assetTag = field(req.body, 'assetTag');
      try {
        const { checkout } = await checkouts.checkOut(req.district.id, { assetTag, localId: field(req.body, 'localId'), by: req.session!.staff.email });
        return reply.redirect(`/desk?done=checkout:${String(checkout.id)}`, 303);
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });

    app.post<{ Body: Record<string, string | undefined>; Querystring: DeskQuery }>('/desk/checkin', write, async (req, reply) => {
      const assetTag = field(req.body, 'assetTag');
      try {
        if (!assetTag) throw new LanyardError('invalid', 'Scan or type the asset tag of the device being returned.');
        const { checkout } = await checkouts.checkIn(req.district.id, { assetTag, by: req.session!.staff.email });
        return reply.redirect(`/desk?done=checkin:${String(checkout.id)}`, 303);
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });

    // Undo of the banner's action; a refusal (too late, or the device moved on) says why, on the desk.
    app.post<{ Body: Record<string, string | undefined>; Querystring: DeskQuery }>('/desk/undo', write, async (req, reply) => {
      const named = parseDeskAction(field(req.body, 'action'));
      try {
        if (!named) throw new LanyardError('invalid', 'There is nothing to undo: use the Undo button on the desk right after a check-out or check-in.');
        const a = await checkouts.undoDeskAction(req.district.id, { ...named, by: changedBy(req) });
        return reply.redirect(`/desk?undone=${a.kind}:${String(a.checkout.id)}`, 303);
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });
  };
}
