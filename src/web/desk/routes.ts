import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { LanyardError } from '../../shared/errors.js';
import { pageAuth } from '../auth.js';
import { csrfOf, field, formError, sendPage } from '../page.js';
import type { Flash } from '../views/flash.js';
import { deskView, type DeskProps, type DeskRecent, type DeskStep } from './view.js';

type DeskQuery = { assetTag?: string; person?: string; done?: string; tag?: string };
type DeskRequest = FastifyRequest<{ Querystring: DeskQuery }>;

/**
 * The rapid check-out desk: scan the asset tag, then the person's card (or
 * type a name), see their face large, press Enter again to confirm. Each step
 * is a GET of /desk with what was scanned so far; saving is a POST and a redirect.
 */
export function deskRoutes(domain: Pick<WebDomain, 'devices' | 'checkouts' | 'people' | 'photos'>): FastifyPluginAsync {
  const { devices, checkouts, people, photos } = domain;

  /** Which step the query asks for, and what to say when it cannot be taken. */
  async function stepFor(districtId: number, assetTag: string, personText: string): Promise<{ step: DeskStep; flash?: Flash; status?: number }> {
    if (!assetTag) return { step: { step: 'tag', value: '' } };
    const device = await devices.findDevice(districtId, assetTag);
    if (!device) {
      const error = `No device has asset tag ${assetTag}: check the label, or add the device on the Devices page first.`;
      return { step: { step: 'tag', value: assetTag }, flash: { error }, status: 404 };
    }
    const holder = await checkouts.deviceHolder(districtId, device.id);
    if (holder) {
      const faces = await photos.faces(districtId, [holder.person.id]);
      return { step: { step: 'holder', device, holder, photo: faces.get(holder.person.id) } };
    }
    if (device.state !== 'available') {
      const error = `${device.assetTag} is marked ${device.state}: set it back to available on its page before checking it out.`;
      return { step: { step: 'tag', value: '' }, flash: { error }, status: 409 };
    }
    if (!personText) return { step: { step: 'person', device, value: '' } };
    const lookup = await people.lookUpPerson(districtId, personText);
    const found = lookup.people;
    const faces = await photos.faces(districtId, found.map((p) => p.id));
    if (found.length === 1) return { step: { step: 'confirm', device, person: found[0]!, photo: faces.get(found[0]!.id) } };
    if (found.length === 0) {
      const error = `No one matches "${personText}": try the Local ID on their card, or part of their name.`;
      return { step: { step: 'person', device, value: personText }, flash: { error }, status: 404 };
    }
    return { step: { step: 'person', device, value: personText, candidates: { people: found, faces, total: lookup.total, more: lookup.more } } };
  }

  /** After a redirect: what was just saved, read back from the database (nothing is trusted from the URL). */
  async function done(districtId: number, query: DeskQuery): Promise<DeskProps['done']> {
    const tag = field(query, 'tag');
    const action = field(query, 'done');
    if (!tag || (action !== 'out' && action !== 'in')) return undefined;
    const last = await checkouts.lastCheckoutOfDevice(districtId, tag);
    return last && { action, assetTag: last.device.assetTag, person: last.person };
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
    const s = await stepFor(districtId, field(req.query, 'assetTag'), field(req.query, 'person'));
    const body = deskView({
      flash: s.flash ?? flash,
      csrf: csrfOf(req),
      done: await done(districtId, req.query),
      step: s.step,
      recent: await recent(districtId),
    });
    return sendPage(req, reply, { section: 'desk', title: 'Check-out desk', body, status: s.status ?? status });
  }

  const write = { preHandler: pageAuth('checkouts:write') };

  return async (app) => {
    app.get<{ Querystring: DeskQuery }>('/desk', write, (req, reply) => render(req, reply));

    app.post<{ Body: Record<string, string | undefined>; Querystring: DeskQuery }>('/desk/checkout', write, async (req, reply) => {
      const assetTag = field(req.body, 'assetTag');
      try {
        const { device } = await checkouts.checkOut(req.district.id, { assetTag, localId: field(req.body, 'localId'), by: req.session!.staff.email });
        return reply.redirect(`/desk?done=out&tag=${encodeURIComponent(device.assetTag)}`, 303);
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });

    app.post<{ Body: Record<string, string | undefined>; Querystring: DeskQuery }>('/desk/checkin', write, async (req, reply) => {
      const assetTag = field(req.body, 'assetTag');
      try {
        if (!assetTag) throw new LanyardError('invalid', 'Scan or type the asset tag of the device being returned.');
        // The banner names the tag as labelled, whatever case it was typed in.
        const device = await devices.getDevice(req.district.id, assetTag);
        await checkouts.checkIn(req.district.id, { assetTag, by: req.session!.staff.email });
        return reply.redirect(`/desk?done=in&tag=${encodeURIComponent(device.assetTag)}`, 303);
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });
  };
}
