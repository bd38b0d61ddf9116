import type { FastifyPluginAsync } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import { PHOTO_URL_PREFIX, type PhotoSize } from '../../photos/current.js';
import { photoEtag, PHOTO_SIZES } from '../../photos/serve.js';
import { LanyardError } from '../../shared/errors.js';

/**
 * A photo by its opaque URL. A version's images never change (a new photo is
 * a new URL), so browsers may keep them for a year, privately: these are
 * children's faces, and no shared cache may hold them.
 */
const CACHE_CONTROL = 'private, max-age=31536000, immutable';

const NOT_FOUND = 'There is no such photo in your district (it may have been replaced: reload the page).';

/** A photo by its opaque URL key, only within the caller's district; a recent session is enough (web/auth.ts). */
export function photoApi(domain: Pick<WebDomain, 'photos'>): FastifyPluginAsync {
  const path = `${PHOTO_URL_PREFIX.replace(/^\/api\/v1/, '')}:key`;
  const photos = domain.photos.served;
  return async (app) => {
    app.get<{ Params: { key: string }; Querystring: { size?: PhotoSize } }>(
      path,
      {
        config: { recentSessionIsEnough: true },
        schema: {
          params: { type: 'object', properties: { key: { type: 'string', maxLength: 64 } }, required: ['key'] },
          querystring: { type: 'object', properties: { size: { type: 'string', enum: [...PHOTO_SIZES], default: 'profile' } } },
        },
      },
      async (req, reply) => {
        const size = req.query.size ?? 'profile';
        const etag = photoEtag(req.params.key, size);
        const headers = { 'cache-control': CACHE_CONTROL, etag, vary: 'Authorization, Cookie' };
        if (ifNoneMatch(req.headers['if-none-match'], etag)) {
          if (!(await photos.exists(req.district.id, req.params.key))) throw new LanyardError('not-found', NOT_FOUND);
          return reply.status(304).headers(headers).send();
        }
        const photo = await photos.served(req.district.id, req.params.key, size);
        if (!photo) throw new LanyardError('not-found', NOT_FOUND);
        return reply.status(200).headers(headers).type(photo.contentType).send(photo.bytes);
      },
    );
  };
}

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}
