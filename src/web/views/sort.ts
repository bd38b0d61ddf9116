import type { ListSort, SortDir } from '../../shared/sort.js';
import { html, type Html } from '../html.js';

/**
 * A list's order in its URL: `sort=name` ascending, `sort=-name` descending.
 * Anything else (an old link, a hand-typed key) is the list's default order,
 * never an error.
 */
export function parseSort<K extends string>(raw: string, keys: readonly K[], fallback: ListSort<K>): ListSort<K> {
  const dir: SortDir = raw.startsWith('-') ? 'desc' : 'asc';
  const by = raw.replace(/^-/, '') as K;
  return keys.includes(by) ? { by, dir } : fallback;
}

export const sortParam = <K extends string>(s: ListSort<K>): string => `${s.dir === 'desc' ? '-' : ''}${s.by}`;

/** A list's URL with its filters (empty ones left out), as the pager, the sort links and the CSV link all write it. */
export function listHref(path: string, query: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A column the list can be sorted by, and the way it first sorts when chosen. */
export interface SortColumn<K extends string> {
  label: string;
  key: K;
  first?: SortDir;
}

/**
 * A table head whose sortable columns are links: the current one carries
 * aria-sort and an arrow, and choosing it again turns the order round.
 * `href` writes the list's URL for a sort (keeping the filters; back to page 1).
 */
export function sortableHead<K extends string>(columns: Array<string | Html | SortColumn<K>>, current: ListSort<K>, href: (sort: string) => string): Html {
  const cell = (c: string | Html | SortColumn<K>) => {
    if (typeof c === 'string' || !('key' in c)) return html`<th scope="col">${c}</th>`;
    const isCurrent = c.key === current.by;
    const next: ListSort<K> = { by: c.key, dir: isCurrent ? (current.dir === 'asc' ? 'desc' : 'asc') : (c.first ?? 'asc') };
    const aria = isCurrent ? html` aria-sort="${current.dir === 'asc' ? 'ascending' : 'descending'}"` : '';
    const arrow = isCurrent ? html` <span aria-hidden="true">${current.dir === 'asc' ? '▲' : '▼'}</span>` : '';
    return html`<th scope="col"${aria}><a class="sort" href="${href(sortParam(next))}">${c.label}${arrow}</a></th>`;
  };
  return html`<thead><tr>${columns.map(cell)}</tr></thead>`;
}

/**
 * "Showing 51–100 of 3,204 people": where this page sits among the matches.
 * `more`: counting stopped at `total` (a huge district is never counted in full).
 */
export function showing(p: { pageNo: number; pageSize: number; shown: number; total: number; more: boolean; one: string; many: string }): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (p.shown === 0) return `0 ${p.many}`;
  const first = (p.pageNo - 1) * p.pageSize + 1;
  const last = first + p.shown - 1;
  const of = p.more ? `more than ${n(p.total)}` : n(p.total);
  const noun = !p.more && p.total === 1 ? p.one : p.many;
  if (!p.more && first === 1 && last === p.total) return `${of} ${noun}`;
  return `Showing ${n(first)}–${n(last)} of ${of} ${noun}`;
}

/** The "Download CSV" link beside a list: the same filters and order as the page, every matching row. */
export const csvLink = (href: string): Html => html`<a class="button secondary csv-link no-print" href="${href}" download>Download CSV</a>`;
