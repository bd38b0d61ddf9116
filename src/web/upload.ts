import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DeliveryOpener, DeliveryTicket } from '../deliveries/ticket.js';
import type { Dropbox, DropboxFolder } from '../dropbox/dropbox.js';
import { isLanyardError } from '../shared/errors.js';
import { can, type Permission } from '../staff/roles.js';
import { csrfMatches } from '../staff/sessions.js';
import type { UploadResult } from './views/upload.js';

const EXPIRED = 'This form has expired or did not come from Lanyard: go back, reload the page and try again.';

/**
 * A browser upload into a drop box folder: the same dropbox.beginUpload →
 * write → commit as an SFTP upload, so the same names, limits and intake
 * apply. Files stream from the request into the blob store. The CSRF token
 * comes as the x-csrf-token header (public/upload.js) or as the form's first
 * field, and is checked before any byte is stored.
 */
export async function registerUpload(
  app: FastifyInstance,
  opts: {
    path: string;
    folder: DropboxFolder;
    permission: Permission;
    dropbox: Dropbox;
    /** One delivery per request: every file of one browser upload is one report. */
    openDelivery: (opener: DeliveryOpener) => DeliveryTicket;
    done: (req: FastifyRequest, reply: FastifyReply, r: UploadResult) => unknown;
  },
): Promise<void> {
  await app.register(async (scope) => {
    // Limits are the drop box's (it refuses a file over the size limit with a sentence); here only a sanity cap.
    await scope.register(multipart, { limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 2000, fields: 10 } });
    scope.post(opts.path, async (req, reply) => {
      const session = req.session;
      if (!session) return reply.redirect('/login', 303);
      if (!can(session.staff.role, opts.permission)) {
        return reply.status(403).type('text/plain').send(`Your role (${session.staff.role}) cannot upload here: ask a Lanyard admin of your district.`);
      }
      if (!req.isMultipart()) return reply.status(400).type('text/plain').send('Choose one or more files to upload.');
      const header = req.headers['x-csrf-token'];
      let trusted = csrfMatches(session, Array.isArray(header) ? header[0] : header);
      const result: UploadResult = { saved: [], refused: [] };
      // One delivery for everything this request brings; it ends with the request, uploaded or not.
      const delivery = opts.openDelivery({ districtId: req.district.id, source: 'web', by: session.staff.email, address: req.ip });
      try {
        for await (const part of req.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === '_csrf' && typeof part.value === 'string') trusted ||= csrfMatches(session, part.value);
            continue;
          }
          if (!trusted) {
            part.file.resume();
            return reply.status(403).type('text/plain').send(EXPIRED);
          }
          // Browsers send a bare name; some old ones a whole path.
          const name = path.basename(part.filename.replace(/\\/g, '/'));
          try {
            const actor = { districtId: req.district.id, source: 'web' as const, name: session.staff.email, address: req.ip, delivery };
            const upload = await opts.dropbox.beginUpload(actor, opts.folder, name);
            try {
              let offset = 0;
              for await (const chunk of part.file as AsyncIterable<Buffer>) {
                await upload.write(chunk, offset);
                offset += chunk.length;
              }
              await upload.commit();
            } catch (err) {
              await upload.abort();
              throw err;
            }
            result.saved.push(name);
          } catch (err) {
            if (!isLanyardError(err)) throw err;
            part.file.resume();
            result.refused.push({ file: name, reason: err.message });
          }
        }
      } finally {
        await delivery.end();
      }
      if (!trusted) return reply.status(403).type('text/plain').send(EXPIRED);
      return opts.done(req, reply, result);
    });
  });
}
