import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { LanyardError } from '../../shared/errors.js';

/** The contract's person: who they are and their current photo (an opaque URL needing the same credentials). */
export function peopleApi(domain: Pick<WebDomain, 'people' | 'photos'>): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { localId: string } }>('/people/:localId', async (req) => {
      const districtId = req.district.id;
      const p = await domain.people.findPerson(districtId, req.params.localId);
      if (!p) throw new LanyardError('not-found', `Nobody with Local ID ${req.params.localId} is in your district's roster.`);
      const photo = (await domain.photos.currentPhotos(districtId, [p.id])).get(p.id) ?? null;
      return {
        localId: p.localId,
        firstName: p.firstName,
        lastName: p.lastName,
        role: p.role,
        active: p.active,
        school: p.school,
        grade: p.grade,
        email: p.email,
        photo,
      };
    });
  };
}
