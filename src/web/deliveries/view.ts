import type { DeliveryCounts, DeliveryProblem, DeliveryReport, DeliverySummary } from '../../deliveries/deliveries.js';
import { toCsv } from '../../shared/csv.js';
import { html, type Html } from '../html.js';
import { timeEl } from '../views/format.js';
import { personHref } from '../views/links.js';
import { headRow, row } from '../views/table.js';

/**
 * Deliveries as the district reads them: one line per SFTP session, browser
 * upload or package on the Photos and Rosters desks, and a page per delivery
 * with every file that did not simply land on its person.
 */

const SOURCE_LABELS: Readonly<Record<DeliverySummary['source'], string>> = { sftp: 'SFTP', web: 'Browser', package: 'Package' };

export const deliveryHref = (d: Pick<DeliverySummary, 'id'>): string => `/deliveries/${d.id}`;

function status(d: DeliverySummary): Html {
  if (d.finishedAt) return html`Finished ${timeEl(d.finishedAt)}`;
  if (d.endedAt) return html`<span class="tag">Processing ${d.counts.pending} file${d.counts.pending === 1 ? '' : 's'}</span>`;
  return html`<span class="tag">Still connected</span>`;
}

/** "398 linked · 9 waiting for their person · 3 rejected · 2 to check": only what there is. */
export function countsLine(c: DeliveryCounts): string {
  const parts: string[] = [];
  if (c.linked) parts.push(`${c.linked} linked`);
  if (c.flagged) parts.push(`${c.flagged} to check`);
  if (c.unmatched) parts.push(`${c.unmatched} waiting for their person`);
  if (c.rejected) parts.push(`${c.rejected} rejected`);
  if (c.imported) parts.push(`${c.imported} imported`);
  if (c.removed) parts.push(`${c.removed} deleted`);
  if (c.pending) parts.push(`${c.pending} not processed yet`);
  return parts.length ? parts.join(' · ') : 'nothing to report';
}

const summaryRow = (d: DeliverySummary): Html =>
  row(
    html`<a href="${deliveryHref(d)}">${timeEl(d.startedAt)}</a>`,
    SOURCE_LABELS[d.source],
    d.by,
    d.files,
    countsLine(d.counts),
    status(d),
  );

/** The desks' card: newest first, each opening its report. */
export function deliveriesCard(title: string, deliveries: DeliverySummary[], empty: Html): Html {
  return html`<section class="card" aria-labelledby="deliveries-title">
  <h2 id="deliveries-title">${title}</h2>
  ${deliveries.length === 0
    ? html`<p class="muted">${empty}</p>`
    : html`<table class="deliveries">${headRow('Started', 'From', 'By', 'Files', 'What happened', 'Status')}
  <tbody>${deliveries.map(summaryRow)}</tbody></table>`}
</section>`;
}

const OUTCOME_LABELS: Readonly<Record<DeliveryProblem['outcome'], string>> = {
  unmatched: 'Waiting for their person',
  rejected: 'Rejected',
  flagged: 'Linked, to check',
};

function problemRow(p: DeliveryProblem): Html {
  const who = p.localId && p.outcome === 'flagged' ? html`<a href="${personHref({ localId: p.localId })}">${p.localId}</a>` : (p.localId ?? '');
  return row(who, html`<code>${p.file}</code>`, html`<span class="outcome outcome-${p.outcome}">${OUTCOME_LABELS[p.outcome]}</span>`, p.reason);
}

function countsTable(c: DeliveryCounts): Html {
  const line = (label: string, n: number) => row(label, n);
  return html`<table class="counts">${headRow('Outcome', 'Files')}
  <tbody>${line('Linked', c.linked)}${line('Linked, to check', c.flagged)}${line('Waiting for their person', c.unmatched)}${line('Rejected', c.rejected)}${c.imported ? line('Rosters imported', c.imported) : ''}${c.removed ? line('Deleted', c.removed) : ''}${c.pending ? line('Not processed yet', c.pending) : ''}</tbody></table>`;
}

/** One delivery's report. */
export function deliveryView(d: DeliveryReport): Html {
  const from = d.source === 'package' ? html`the package <code>${d.by}</code>` : html`${SOURCE_LABELS[d.source]} (${d.by})`;
  const parent = d.parentId ? html`<p>Unpacked from a zip of <a href="${deliveryHref({ id: d.parentId })}">delivery ${d.parentId}</a>.</p>` : '';
  const packages = d.packages.length
    ? html`<h2>Packages in this delivery</h2><ul class="plain">${d.packages.map((p) => html`<li><a href="${deliveryHref(p)}"><code>${p.by}</code></a>: ${countsLine(p.counts)}</li>`)}</ul>`
    : '';
  return html`<h1>Delivery ${d.id}</h1>
<section class="card">
  <p>From ${from}, started ${timeEl(d.startedAt)}. ${status(d)}</p>
  ${parent}
  <p>${d.files} file${d.files === 1 ? '' : 's'}: ${countsLine(d.counts)}.</p>
  ${countsTable(d.counts)}
  ${packages}
</section>
<section class="card" aria-labelledby="problems-title">
  <h2 id="problems-title">Files not simply linked</h2>
  ${d.problems.length === 0
    ? html`<p>Every file of this delivery is on its person, with nothing to check.</p>`
    : html`<p><a class="button secondary" href="${deliveryHref(d)}/files.csv" download>Download this list (CSV)</a></p>
  <table class="problems">${headRow('Local ID', 'File', 'Outcome', 'Reason')}
  <tbody>${d.problems.map(problemRow)}</tbody></table>
  ${d.moreProblems ? html`<p class="muted">More files are in the CSV.</p>` : ''}`}
</section>`;
}

/** The report's files as a CSV a secretary can sort and send on. */
export function deliveryProblemsCsv(problems: Iterable<DeliveryProblem>): string {
  const rows = [...problems].map((p) => [p.localId ?? '', p.file, p.outcome, p.warnings.join(' '), p.reason]);
  return toCsv(['Local ID', 'File', 'Outcome', 'Warnings', 'Reason'], rows);
}
