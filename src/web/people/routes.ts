import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { photoSrc, photoUrl } from '../../photos/current.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { changedBy, csrfOf, pageNumber, sendNotFound, sendPage } from '../page.js';
import { prg } from '../prg.js';
import { personHref } from '../views/links.js';
import { fullName } from '../../people/name.js';
import type { Flash } from '../views/flash.js';
import { peopleFilterOf, peopleFiltersOf } from './query.js';
import { peopleListView, profileView } from './view.js';

const PAGE_SIZE = 100;

type PeopleQueryString = { q?: string; school?: string; grade?: string; role?: string; active?: string; photo?: string; sort?: string; page?: string };
type PersonRequest = FastifyRequest<{ Params: { localId: string } }>;

/** People: search and filters, each person's profile, and an admin's choice of the photo they show. */
export function peopleRoutes(
  domain: Pick<WebDomain, 'people' | 'schools' | 'photos' | 'checkouts' | 'incidents' | 'devices' | 'retention' | 'flashes'>,
): FastifyPluginAsync {
  const { people, photos } = domain;
  const flashes = prg(domain.flashes);

  const schoolNames = async (districtId: number) => new Map((await domain.schools.listSchools(districtId)).map((s) => [s.code, s.name]));

  async function profile(req: PersonRequest, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const person = await people.findPerson(districtId, req.params.localId);
    if (!person) return noSuchPerson(req, reply);
    const [faces, checkouts, { incidents }, versions, names, erased] = await Promise.all([
      photos.faces(districtId, [person.id]),
      domain.checkouts.checkoutsOfPerson(districtId, person.id),
      domain.incidents.listIncidents(districtId, { personId: person.id, limit: 100, offset: 0 }),
      photos.keptVersions(districtId, person.id),
      schoolNames(districtId),
      domain.retention.erasureOf(districtId, person.localId),
    ]);
    const devices = await domain.devices.devicesByIds(districtId, [...checkouts.map((c) => c.deviceId), ...incidents.map((i) => i.deviceId)]);
    const role = req.session!.staff.role;
    const body = profileView({
      flash,
      csrf: csrfOf(req),
      person,
      photo: faces.get(person.id),
      schoolNames: names,
      versions: versions.map((v) => ({ ...v, thumb: photoSrc({ url: photoUrl(v.urlKey) }, 'thumb') })),
      checkouts,
      incidents,
      devices,
      mayChangePhoto: can(role, 'photos:manage'),
      mayOpenIncident: can(role, 'incidents:write'),
      erased,
      mayErase: can(role, 'people:erase'),
    });
    return sendPage(req, reply, { section: 'people', title: fullName(person), body, status });
  }

  const noSuchPerson = (req: PersonRequest, reply: FastifyReply) =>
    sendNotFound(req, reply, 'people', `No one in ${req.district.name} has Local ID ${req.params.localId}.`);

  return async (app) => {
    app.get<{ Querystring: PeopleQueryString }>('/people', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const districtId = req.district.id;
      const filters = peopleFiltersOf(req.query);
      const pageNo = pageNumber(req.query.page);
      const [{ people: found, total, more }, facets, names] = await Promise.all([
        people.searchPeople(districtId, { ...peopleFilterOf(filters, photos.photoFilter), limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE }),
        people.peopleFacets(districtId),
        schoolNames(districtId),
      ]);
      const faces = await photos.faces(districtId, found.map((p) => p.id));
      const body = peopleListView({
        filters,
        facets,
        schoolNames: names,
        people: found,
        total,
        more,
        faces,
        pageNo,
        pageSize: PAGE_SIZE,
        hasNext: pageNo * PAGE_SIZE < total || more,
      });
      return sendPage(req, reply, { section: 'people', title: 'People', body });
    });

    app.get<{ Params: { localId: string } }>('/people/:localId', { preHandler: pageAuth('people:read') }, async (req, reply) =>
      profile(req, reply, await flashes.take(req)),
    );

    app.post<{ Params: { localId: string }; Body: { version?: string } }>(
      '/people/:localId/photo/show',
      { preHandler: pageAuth('photos:manage') },
      async (req, reply) => {
        const person = await people.findPerson(req.district.id, req.params.localId);
        if (!person) return noSuchPerson(req, reply);
        const id = Number(req.body?.version);
        const shown = Number.isSafeInteger(id) ? await photos.showVersion(req.district.id, person.id, id) : undefined;
        return shown
          ? flashes.redirect(req, reply, personHref(person), { notice: `${fullName(person)} shows the photo from ${shown.file} again.` })
          : profile(req, reply, { error: `That photo is no longer kept for ${fullName(person)}: choose one from the photo history below.` }, 404);
      },
    );

    app.post<{ Params: { localId: string }; Body: { confirm?: string } }>('/people/:localId/erase', { preHandler: pageAuth('people:erase') }, async (req, reply) => {
      const person = await people.findPerson(req.district.id, req.params.localId);
      if (!person) return noSuchPerson(req, reply);
      if ((req.body?.confirm ?? '').trim() !== person.localId) {
        return profile(req, reply, { error: `Nothing was erased: type ${person.localId} exactly in the box to confirm.` }, 400);
      }
      const r = await domain.retention.erasePerson(req.district.id, person.localId, changedBy(req));
      const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
      const shared = r.shared > 0 ? ` ${n(r.shared, 'stored file is', 'stored files are')} also someone else's photo and stay theirs.` : '';
      return flashes.redirect(req, reply, personHref(person), {
        notice: `Erased ${fullName(person)}'s photos and files: ${n(r.versions, 'photo version')}, ${n(r.files.length, 'file')} in idphotos, ${n(r.deleted, 'stored file')} deleted.${shared}`,
      });
    });

    app.post<{ Params: { localId: string } }>('/people/:localId/photo/revert', { preHandler: pageAuth('photos:manage') }, async (req, reply) => {
      const person = await people.findPerson(req.district.id, req.params.localId);
      if (!person) return noSuchPerson(req, reply);
      const back = await photos.revertPhoto(req.district.id, person.id);
      return back
        ? flashes.redirect(req, reply, personHref(person), { notice: `${fullName(person)} shows the previous photo again (from ${back.file}).` })
        : profile(req, reply, { error: `${fullName(person)} has no earlier photo to go back to.` }, 409);
    });
  };
}
