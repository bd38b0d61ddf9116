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

/** When a device came back, that it is still out, or that the check-out was undone at the desk (it never really went out). */
export const checkedInCell = (c: { checkedIn: { at: string } | null; undone?: { at: string } | null }): Html =>
  c.undone ? html`<span class="tag">Undone</span>` : c.checkedIn ? timeEl(c.checkedIn.at) : html`<span class="tag">Still out</span>`;
