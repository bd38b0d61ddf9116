import { html, type Html } from '../html.js';

/** Previous/next links keeping the other query parameters; nothing when everything fits on one page. */
export function pager(path: string, query: Record<string, string | undefined>, pageNo: number, hasNext: boolean): Html {
  const link = (n: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
    if (n > 1) q.set('page', String(n));
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };
  if (pageNo <= 1 && !hasNext) return html``;
  const prev = pageNo > 1 ? html`<a href="${link(pageNo - 1)}" rel="prev">← Previous</a>` : '';
  const next = hasNext ? html`<a href="${link(pageNo + 1)}" rel="next">Next →</a>` : '';
  return html`<nav class="pager" aria-label="Pages">${prev}<span>Page ${pageNo}</span>${next}</nav>`;
}
