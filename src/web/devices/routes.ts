import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import type { DeviceState } from '../../devices/devices.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { csrfOf, field, formError, pageNumber, sendConfirm, sendNotFound, sendPage } from '../page.js';
import { prg } from '../prg.js';
import type { Flash } from '../views/flash.js';
import { deviceHref } from '../views/links.js';
import { parseSort } from '../views/sort.js';
import { deviceListView, deviceProfileView } from './view.js';

const PAGE_SIZE = 50;

type Form = Record<string, string | undefined>;
type ListRequest = FastifyRequest<{ Querystring: { q?: string; sort?: string; page?: string } }>;
type DeviceRequest = FastifyRequest<{ Params: { assetTag: string } }>;

/** Devices: the list with who has each, adding (one or from a CSV), and each device's profile and edits. */
export function deviceRoutes(domain: Pick<WebDomain, 'devices' | 'checkouts' | 'people' | 'incidents' | 'photos' | 'flashes'>): FastifyPluginAsync {
  const { devices, checkouts } = domain;
  const flashes = prg(domain.flashes);

  async function listPage(req: ListRequest, reply: FastifyReply, flash: Flash = {}, status = 200, values?: Record<string, string>) {
    const districtId = req.district.id;
    const q = field(req.query, 'q');
    const sort = parseSort(field(req.query, 'sort'), ['assetTag'], { by: 'assetTag', dir: 'asc' });
    const pageNo = pageNumber(req.query.page);
    const { devices: rows, ...count } = await devices.searchDevices(districtId, { search: q, sort, limit: PAGE_SIZE + 1, offset: (pageNo - 1) * PAGE_SIZE });
    const shown = rows.slice(0, PAGE_SIZE);
    const out = await checkouts.openCheckoutsForDevices(districtId, shown.map((d) => d.id));
    const people = await domain.people.peopleByIds(districtId, [...out.values()].map((c) => c.personId));
    const faces = await domain.photos.faces(districtId, [...people.keys()]);
    const body = deviceListView({
      flash,
      csrf: csrfOf(req),
      q,
      sort,
      count,
      pageSize: PAGE_SIZE,
      devices: shown,
      out,
      people,
      faces,
      pageNo,
      hasNext: rows.length > PAGE_SIZE,
      mayAdd: can(req.session!.staff.role, 'devices:write'),
      values,
    });
    return sendPage(req, reply, { section: 'devices', title: 'Devices', body, status });
  }

  async function profilePage(req: DeviceRequest, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const device = await devices.findDevice(districtId, req.params.assetTag);
    if (!device) return sendNotFound(req, reply, 'devices', `No device in ${req.district.name} has asset tag ${req.params.assetTag}.`);
    const [holder, history, { incidents }, caseTwins] = await Promise.all([
      checkouts.deviceHolder(districtId, device.id),
      checkouts.checkoutsOfDevice(districtId, device.id),
      domain.incidents.listIncidents(districtId, { deviceId: device.id, limit: 100, offset: 0 }),
      devices.caseTwinsOf(districtId, device),
    ]);
    const people = await domain.people.peopleByIds(districtId, [...history.map((c) => c.personId), ...incidents.map((i) => i.personId)]);
    const faces = await domain.photos.faces(districtId, [...people.keys()]);
    const role = req.session!.staff.role;
    const body = deviceProfileView({
      flash,
      csrf: csrfOf(req),
      device,
      holder,
      history,
      incidents,
      people,
      faces,
      mayCheckOut: can(role, 'checkouts:write'),
      mayOpenIncident: can(role, 'incidents:write'),
      mayEdit: can(role, 'devices:write'),
      caseTwins,
    });
    return sendPage(req, reply, { section: 'devices', title: `Device ${device.assetTag}`, body, status });
  }

  /** A refused edit shows the profile again with the reason; a device not in this district is the not-found page. */
  const refusedEdit = (req: DeviceRequest, reply: FastifyReply, err: unknown) => {
    const e = formError(err);
    return e.status === 404 ? sendNotFound(req, reply, 'devices', e.error) : profilePage(req, reply, { error: e.error }, e.status);
  };

  const read = { preHandler: pageAuth('people:read') };
  const write = { preHandler: pageAuth('devices:write') };

  return async (app) => {
    app.get<{ Querystring: { q?: string; sort?: string; page?: string } }>('/devices', read, async (req, reply) => listPage(req, reply, await flashes.take(req)));

    app.post<{ Body: Form; Querystring: { q?: string; page?: string } }>('/devices', write, async (req, reply) => {
      const input = { assetTag: field(req.body, 'assetTag'), serialNumber: field(req.body, 'serialNumber'), model: field(req.body, 'model') };
      try {
        const d = await devices.createDevice(req.district.id, input);
        return await flashes.redirect(req, reply, deviceHref(d), { notice: `${d.assetTag} added.` });
      } catch (err) {
        const e = formError(err);
        return listPage(req, reply, { error: e.error }, e.status, input);
      }
    });

    app.post<{ Body: Form; Querystring: { q?: string; page?: string } }>('/devices/bulk', write, async (req, reply) => {
      try {
        const r = await devices.addDevicesFromCsv(req.district.id, field(req.body, 'csv'));
        const skipped = r.skipped.map((s) => `line ${s.line}: ${s.reason}`).join(' ');
        const added = `${r.added} ${r.added === 1 ? 'device' : 'devices'} added.`;
        return await flashes.redirect(req, reply, '/devices', { notice: added, error: skipped ? `Not added: ${skipped}` : undefined });
      } catch (err) {
        const e = formError(err);
        return listPage(req, reply, { error: e.error }, e.status, { csv: field(req.body, 'csv') });
      }
    });

    app.get<{ Params: { assetTag: string } }>('/devices/:assetTag', read, async (req, reply) => profilePage(req, reply, await flashes.take(req)));

    app.post<{ Params: { assetTag: string }; Body: Form }>('/devices/:assetTag', write, async (req, reply) => {
      try {
        const d = await checkouts.editDevice(req.district.id, req.params.assetTag, {
          serialNumber: field(req.body, 'serialNumber'),
          model: field(req.body, 'model'),
          state: (field(req.body, 'state') || undefined) as DeviceState | undefined,
        });
        return await flashes.redirect(req, reply, deviceHref(d), { notice: 'Saved.' });
      } catch (err) {
        return refusedEdit(req, reply, err);
      }
    });

    app.get<{ Params: { assetTag: string } }>('/devices/:assetTag/retire', write, async (req, reply) => {
      const d = await devices.findDevice(req.district.id, req.params.assetTag);
      if (!d) return sendNotFound(req, reply, 'devices', `No device in ${req.district.name} has asset tag ${req.params.assetTag}.`);
      return sendConfirm(req, reply, 'devices', {
        title: `Retire ${d.assetTag}?`,
        consequences: `${d.assetTag}${d.model ? ` (${d.model})` : ''} will no longer be checked out at the desk or through the API. Its check-outs and incidents stay in its history.`,
        action: `${deviceHref(d)}/retire`,
        confirmLabel: 'Retire the device',
        cancelHref: deviceHref(d),
      });
    });

    app.post<{ Params: { assetTag: string } }>('/devices/:assetTag/retire', write, async (req, reply) => {
      try {
        const d = await checkouts.editDevice(req.district.id, req.params.assetTag, { state: 'retired' });
        return await flashes.redirect(req, reply, deviceHref(d), { notice: 'Retired: it can no longer be checked out.' });
      } catch (err) {
        return refusedEdit(req, reply, err);
      }
    });
  };
}
