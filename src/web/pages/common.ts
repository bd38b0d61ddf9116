import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/db.js';
import { listSchools } from '../../roster/schools.js';
import { httpStatusFor, isLanyardError } from '../../shared/errors.js';
import { html, type Html } from '../html.js';
import { page, type PageContext } from '../layout.js';
import type { FaceLookup } from '../views/faces.js';

/** What every page plugin gets from the server. */
export interface PageDeps {
  db: Db;
  faces: FaceLookup;
}

export interface Flash {
  notice?: string | undefined;
  error?: string | undefined;
}

export function sendPage(req: FastifyRequest, reply: FastifyReply, section: PageContext['section'], title: string, body: Html, status = 200) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page({ district: req.district, session: req.session!, section }, title, body).toString());
}

export const csrfField = (req: FastifyRequest): Html => html`<input type="hidden" name="_csrf" value="${req.session!.csrfToken}">`;

export const flashBlock = (f: Flash): Html =>
  html`${f.notice ? html`<p class="notice" role="status">${f.notice}</p>` : ''}${f.error ? html`<p class="error" role="alert">${f.error}</p>` : ''}`;

/** A LanyardError from a form becomes the sentence on the page and its status; anything else is thrown on. */
export function formError(err: unknown): { error: string; status: number } {
  if (isLanyardError(err)) return { error: err.message, status: httpStatusFor(err.kind) };
  throw err;
}

/** A page for something that is not in this district (or does not exist: the same to the reader). */
export function notFound(req: FastifyRequest, reply: FastifyReply, section: PageContext['section'], message: string) {
  return sendPage(req, reply, section, 'Not found', html`<h1>Not found</h1><p>${message}</p>`, 404);
}

/** "25 Nov 2026, 08:47" in UTC: the same for every reader and test. */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

export const timeEl = (iso: string): Html => html`<time datetime="${iso}">${when(iso)}</time>`;

/** Previous/next links keeping the other query parameters. */
export function pager(path: string, query: Record<string, string | undefined>, pageNo: number, hasNext: boolean): Html {
  const link = (n: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
    if (n > 1) q.set('page', String(n));
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };
  if (pageNo <= 1 && !hasNext) return html``;
  return html`<nav class="pager" aria-label="Pages">${pageNo > 1 ? html`<a href="${link(pageNo - 1)}" rel="prev">← Previous</a>` : ''}<span>Page ${pageNo}</span>${hasNext ? html`<a href="${link(pageNo + 1)}" rel="next">Next →</a>` : ''}</nav>`;
}

export const pageNumber = (raw: string | undefined): number => {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
};

/** A string field from a parsed form or query, trimmed. */
export const field = (o: unknown, name: string): string => {
  const v = (o as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : '';
};

/** A school as people read it: its name from the roster (Clever and OneRoster files name them), else its code. */
export async function schoolNamer(db: Db, districtId: number): Promise<(code: string | null) => string> {
  const names = new Map((await listSchools(db, districtId)).map((s) => [s.code, s.name]));
  return (code) => (code === null ? '' : (names.get(code) ?? code));
}
