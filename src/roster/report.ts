import { countsOf, describeHeld, type ImportCounts, type ImportPlan } from './plan.js';
import type { RosterRejection } from './rejection.js';

/** Row errors quoted in a message; the rest are in the history. */
const ERRORS_IN_MESSAGE = 5;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function countsSentence(c: ImportCounts): string {
  return `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deactivated} deactivated, ${c.reactivated} reactivated, ${plural(c.errors, 'error')}`;
}

/** What the district reads on the intake event and in the history, for a file that was imported. */
export function importedMessage(file: string, plan: ImportPlan, opts: { dryRun?: boolean; schools?: number } = {}): string {
  const c = countsOf(plan);
  const parts = [`${opts.dryRun ? 'Dry run of' : 'Imported'} ${file}: ${countsSentence(c)}${opts.dryRun ? ' (nothing was changed)' : ''}.`];
  if (opts.schools) parts.push(`${plural(opts.schools, 'school')} recorded.`);
  for (const h of plan.held) parts.push(describeHeld(h));
  parts.push(...plan.notes);
  if (plan.rowErrors.length > 0) {
    const shown = plan.rowErrors.slice(0, ERRORS_IN_MESSAGE).map((e) => e.message);
    const more = plan.rowErrors.length - shown.length;
    parts.push(`Rows left out: ${shown.join(' ')}${more > 0 ? ` …and ${more} more (see \`lanyard roster history <district>\`).` : ''}`);
  }
  return parts.join(' ');
}

export function rejectedMessage(file: string, r: RosterRejection): string {
  return `${file} was not imported: ${r.message}`;
}
