import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChangedBy } from '../audit/audit.js';
import { httpStatusFor, isLanyardError } from '../shared/errors.js';
import type { Html } from './html.js';
import { confirmView, type ConfirmProps } from './views/confirm.js';
import { notFoundBody, page, type Section } from './views/layout.js';

/**
 * What every page's routes share: sending HTML, the frame around a signed-in
 * page, a form's error, and reading fields. Views never see Fastify; routes
 * never build markup beyond choosing a view.
 */

/** Any HTML answer (a signed-in page, or the sign-in page), never cached. */
export function sendHtml(reply: FastifyReply, body: Html, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body.toString());
}

/** A signed-in page: the view's body inside the frame (nav, district, sign-out). */
export function sendPage(req: FastifyRequest, reply: FastifyReply, p: { section: Section; title: string; body: Html; status?: number }) {
  const session = req.session!;
  const frame = { districtName: req.district.name, email: session.staff.email, csrf: session.csrfToken, section: p.section };
  return sendHtml(reply, page(frame, p.title, p.body), p.status);
}

/** The page for something that is not in this district (or does not exist: the same to the reader). */
export function sendNotFound(req: FastifyRequest, reply: FastifyReply, section: Section, message: string) {
  return sendPage(req, reply, { section, title: 'Not found', body: notFoundBody(message), status: 404 });
}

/** A LanyardError from a form becomes the sentence on the page and its status; anything else is thrown on. */
export function formError(err: unknown): { error: string; status: number } {
  if (isLanyardError(err)) return { error: err.message, status: httpStatusFor(err.kind) };
  throw err;
}

/** A string field from a parsed form or query, trimmed. */
export const field = (o: unknown, name: string): string => {
  const v = (o as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : '';
};

/** A `page` query parameter: 1 unless it is a sensible page number. */
export const pageNumber = (raw: string | undefined): number => {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
};

/** The signed-in staff member making a change, as its audit entry names them. */
export const changedBy = (req: FastifyRequest): ChangedBy => ({ actor: req.session!.staff.email, address: req.ip });

/** The session's CSRF token, which every form on a page carries. */
export const csrfOf = (req: FastifyRequest): string => req.session!.csrfToken;

/** A confirmation page (views/confirm.ts) inside the frame: what an action will do, Confirm and Cancel. */
export function sendConfirm(req: FastifyRequest, reply: FastifyReply, section: Section, p: Omit<ConfirmProps, 'csrf'>) {
  return sendPage(req, reply, { section, title: p.title, body: confirmView({ ...p, csrf: csrfOf(req) }) });
}
