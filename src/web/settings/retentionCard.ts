import { describeDays, RULE_LABELS, RULES, type RetentionPolicy } from '../../retention/policy.js';
import type { ReportRule } from '../../retention/run.js';
import { html, type Html } from '../html.js';
import { timeEl } from '../views/format.js';
import { headRow, row } from '../views/table.js';

export interface RetentionProps {
  policy: RetentionPolicy;
  /** The last retention run that removed anything of this district. */
  lastRun: { runAt: string; rules: Array<{ rule: ReportRule; items: number; files: number; bytes: number }> } | undefined;
}

const LABELS: Readonly<Record<ReportRule, string>> = { ...RULE_LABELS, unreferenced: 'Stored files nothing referred to' };

/** "1.4 MB": bytes as a secretary reads them. */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let i = 0;
  for (; v >= 1000 && i < units.length - 1; i++) v /= 1000;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

const HINT = 'How long Lanyard keeps photos and files your district no longer needs, then deletes them from storage. To change it, ask whoever runs Lanyard for you (lanyard district retention).';

/** Settings: the district's retention policy, and what the last run removed, rule by rule. */
export function retentionCard(p: RetentionProps): Html {
  const policy = RULES.map((r) => row(RULE_LABELS[r], describeDays(r, p.policy[r])));
  const report = p.lastRun
    ? html`<h3>Last removal, ${timeEl(p.lastRun.runAt)}</h3>
  <table>${headRow('Rule', 'Records', 'Stored files deleted', 'Size')}<tbody>${p.lastRun.rules.map((r) => row(LABELS[r.rule], r.items, r.files, sizeText(r.bytes)))}</tbody></table>`
    : html`<p class="muted">Nothing has been removed yet.</p>`;
  return html`<section class="card">
  <h2>Retention</h2>
  <p class="muted">${HINT}</p>
  <table>${headRow('What', 'Kept for')}<tbody>${policy}</tbody></table>
  ${report}
</section>`;
}
