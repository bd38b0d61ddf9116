import { html, type Html } from '../html.js';

/**
 * "25 Nov 2026, 08:47 UTC": the page says its zone. public/app.js shows it in
 * the reader's own zone ("25 Nov 2026, 03:47 EST"); without the script, UTC.
 */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  const time = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${time} UTC`;
}

export const timeEl = (iso: string): Html => html`<time datetime="${iso}">${when(iso)}</time>`;

/** "004410 · 101 · grade 2": a person's Local ID with the school and grade they have. */
export const idSchoolGrade = (p: { localId: string; school: string | null; grade: string | null }): string =>
  `${p.localId}${p.school ? ` · ${p.school}` : ''}${p.grade ? ` · grade ${p.grade}` : ''}`;

/** A school as people read it: its name from the roster (Clever and OneRoster files name them), else its code. */
export const schoolName = (names: ReadonlyMap<string, string | null>, code: string | null): string =>
  code === null ? '' : (names.get(code) ?? code);

export const activeOrTag = (active: boolean): Html | string => (active ? 'Active' : html`<span class="tag">Inactive</span>`);
