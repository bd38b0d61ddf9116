import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { pageAuth } from '../auth.js';
import { sendNotFound, sendPage } from '../page.js';
import { damageFormView, receiptView } from './view.js';

/** The printable check-out receipt and damage form: read-only pages, the same permission as the profiles they come from. */
export function printoutRoutes(domain: Pick<WebDomain, 'printouts' | 'photos' | 'schools'>): FastifyPluginAsync {
  const schoolNames = async (districtId: number) => new Map((await domain.schools.listSchools(districtId)).map((s) => [s.code, s.name]));
  const read = { preHandler: pageAuth('people:read') };

  return async (app) => {
    app.get<{ Params: { id: string } }>('/checkouts/:id/receipt', read, async (req, reply) => {
      const districtId = req.district.id;
      const receipt = await domain.printouts.checkoutReceipt(districtId, Number(req.params.id));
      if (!receipt) return sendNotFound(req, reply, 'devices', `There is no check-out ${req.params.id} in ${req.district.name}: open the device and use the receipt link in its history.`);
      const [faces, schools] = await Promise.all([domain.photos.faces(districtId, receipt.person ? [receipt.person.id] : []), schoolNames(districtId)]);
      const body = receiptView({ districtName: req.district.name, receipt, photo: receipt.person && faces.get(receipt.person.id), schools });
      return sendPage(req, reply, { section: 'devices', title: `Receipt: ${receipt.device?.assetTag ?? 'device'}`, body });
    });

    app.get<{ Params: { id: string } }>('/incidents/:id/damage-form', read, async (req, reply) => {
      const districtId = req.district.id;
      const form = await domain.printouts.damageForm(districtId, Number(req.params.id));
      if (!form) return sendNotFound(req, reply, 'incidents', `There is no incident ${req.params.id} in ${req.district.name}.`);
      const [faces, schools] = await Promise.all([domain.photos.faces(districtId, form.person ? [form.person.id] : []), schoolNames(districtId)]);
      const body = damageFormView({ districtName: req.district.name, form, photo: form.person && faces.get(form.person.id), schools });
      return sendPage(req, reply, { section: 'incidents', title: `Damage form: incident #${form.incident.id}`, body });
    });
  };
}
