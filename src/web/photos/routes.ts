import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import type { Dropbox } from '../../dropbox/dropbox.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { changedBy, csrfOf, field, formError, sendPage } from '../page.js';
import { prg } from '../prg.js';
import { registerUpload } from '../upload.js';
import { fullName } from '../../people/name.js';
import type { Flash } from '../views/flash.js';
import { uploadSummary } from '../views/upload.js';
import { retakeCsv, type RetakeEntry } from '../../photos/retakes.js';
import { isLanyardError } from '../../shared/errors.js';
import { retakeListView } from './retakeView.js';
import { missingPhotosCsv, photosDeskView } from './view.js';

const EVENTS_SHOWN = 100;
const MISSING_SHOWN = 20;
const DELIVERIES_SHOWN = 20;

/** The Photos desk: what happened to uploads, coverage per school, who has no photo yet, and uploading from the browser. */
export function photoRoutes(domain: Pick<WebDomain, 'photos' | 'intake' | 'schools' | 'deliveries' | 'people' | 'flashes'>, dropbox: Dropbox): FastifyPluginAsync {
  const { photos } = domain;
  const flashes = prg(domain.flashes);

  async function render(req: FastifyRequest, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const outcome = field(req.query, 'outcome');
    const mayUpload = can(req.session!.staff.role, 'photos:manage');
    const [events, coverage, missing, schools, unmatched, deliveries] = await Promise.all([
      domain.intake.recentEvents(districtId, { folder: 'idphotos', outcome: outcome || undefined, limit: EVENTS_SHOWN, offset: 0 }),
      photos.photoCoverage(districtId),
      photos.peopleWithoutPhoto(districtId, MISSING_SHOWN),
      domain.schools.listSchools(districtId),
      mayUpload ? photos.unmatchedPhotos(districtId) : [],
      domain.deliveries.listDeliveries(districtId, { folder: 'idphotos', limit: DELIVERIES_SHOWN }),
    ]);
    const schoolNames = new Map(schools.map((s) => [s.code, s.name]));
    const body = photosDeskView({ flash, csrf: csrfOf(req), mayUpload, coverage, schoolNames, missing, unmatched, outcome, events, deliveries });
    return sendPage(req, reply, { section: 'photos', title: 'Photos', body, status });
  }

  type RetakeQs = { Querystring: { school?: string; before?: string } };
  async function retakes(req: FastifyRequest<RetakeQs>): Promise<RetakeEntry[]> {
    const entries: RetakeEntry[] = [];
    for await (const e of photos.retakeList(req.district.id, { school: field(req.query, 'school'), takenBefore: field(req.query, 'before') })) entries.push(e);
    return entries;
  }
  const namesOfSchools = async (districtId: number) => new Map((await domain.schools.listSchools(districtId)).map((s) => [s.code, s.name]));

  return async (app) => {
    app.get<RetakeQs>('/photos/retakes', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const districtId = req.district.id;
      const [facets, schoolNames] = await Promise.all([domain.people.peopleFacets(districtId), namesOfSchools(districtId)]);
      const props = { schools: facets.schools, schoolNames, school: field(req.query, 'school'), before: field(req.query, 'before') };
      try {
        const body = retakeListView({ ...props, flash: {}, entries: await retakes(req) });
        return await sendPage(req, reply, { section: 'photos', title: 'Retake list', body });
      } catch (err) {
        if (!isLanyardError(err)) throw err;
        return sendPage(req, reply, { section: 'photos', title: 'Retake list', body: retakeListView({ ...props, flash: { error: err.message }, entries: null }), status: 400 });
      }
    });

    app.get<RetakeQs>('/photos/retakes.csv', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const [entries, schoolNames] = await Promise.all([retakes(req), namesOfSchools(req.district.id)]);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.district.slug}-retakes.csv"`)
        .header('cache-control', 'no-store')
        .send(retakeCsv(entries, schoolNames));
    });

    app.post<{ Body: Record<string, string | undefined> }>('/photos/assign', { preHandler: pageAuth('photos:manage') }, async (req, reply) => {
      try {
        const input = { file: field(req.body, 'file'), localId: field(req.body, 'localId') };
        const r = await photos.assignPhoto(req.district.id, input, changedBy(req));
        return await flashes.redirect(req, reply, '/photos', { notice: `${r.file} is now ${r.to}: the photo intake shows it on ${fullName(r.person)} within seconds.` });
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });

    app.get<{ Querystring: { outcome?: string } }>('/photos', { preHandler: pageAuth('people:read') }, async (req, reply) => render(req, reply, await flashes.take(req)));

    app.get('/photos/missing.csv', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const missing = await photos.peopleWithoutPhoto(req.district.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.district.slug}-no-photo.csv"`)
        .header('cache-control', 'no-store')
        .send(missingPhotosCsv(missing));
    });

    await registerUpload(app, {
      path: '/photos/upload',
      folder: 'idphotos',
      permission: 'photos:manage',
      dropbox,
      openDelivery: domain.deliveries.deliveryTicket,
      done: (req, reply, r) => {
        if ((req.headers.accept ?? '').includes('application/json')) return reply.send(r);
        const said = uploadSummary(r, 'their outcomes appear below within seconds.');
        // Nothing received: nothing changed, so the form is shown again as refused (the rule of every form).
        return r.saved.length ? flashes.redirect(req, reply, '/photos', said) : render(req, reply, said, 400);
      },
    });
  };
}
