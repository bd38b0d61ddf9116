import { html, type Html } from '../html.js';
import { timeEl } from './format.js';

type Cell = Html | string | number | null | undefined;

/** A table's head: one column header per label (markup for a header read only by screen readers). */
export const headRow = (...labels: Array<string | Html>): Html =>
  html`<thead><tr>${labels.map((l) => html`<th scope="col">${l}</th>`)}</tr></thead>`;

/** A column header only screen readers read (over photos, buttons). */
export const hiddenLabel = (label: string): Html => html`<span class="visually-hidden">${label}</span>`;

/** One row of cells. */
export const row = (...cells: Cell[]): Html => html`<tr>${cells.map((c) => html`<td>${c}</td>`)}</tr>`;

/** When a device came back, or that it is still out. */
export const checkedInCell = (c: { checkedIn: { at: string } | null }): Html =>
  c.checkedIn ? timeEl(c.checkedIn.at) : html`<span class="tag">Still out</span>`;
