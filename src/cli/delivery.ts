import type { Command } from 'commander';
import { getDelivery, listDeliveries, newestDelivery, type DeliverySummary } from '../deliveries/deliveries.js';
import { getDistrict } from '../districts/districts.js';
import { LanyardError } from '../shared/errors.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

const LISTED = 50;

function line(d: DeliverySummary): string {
  const c = d.counts;
  const state = d.finishedAt ? `finished ${d.finishedAt}` : d.endedAt ? `processing (${c.pending} left)` : 'still connected';
  return `${d.id}\t${d.startedAt}\t${d.source}\t${d.by}\t${d.files} files: ${c.linked} linked, ${c.flagged} flagged, ${c.unmatched} unmatched, ${c.rejected} rejected, ${c.imported} imported\t${state}\n`;
}

/** `lanyard delivery list|show`: the same reports as the desks and the API, for a technician at a terminal. */
export function registerDeliveryCommands(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  const delivery = program.command('delivery').description('What became of each SFTP session, browser upload and photo package.');

  withDataOptions(delivery.command('list <slug>'))
    .description(`The district's latest ${LISTED} deliveries, newest first.`)
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const list = await withServices(opts, env, async (s) => listDeliveries(s.db, (await getDistrict(s.db, slug)).id, { limit: LISTED }));
      if (opts.json) return out.stdout(`${JSON.stringify({ deliveries: list })}\n`);
      if (list.length === 0) return out.stdout(`${slug} has had no delivery yet.\n`);
      for (const d of list) out.stdout(line(d));
    });

  withDataOptions(delivery.command('show <slug> [id]'))
    .description('One delivery (the newest when no id is given): its counts and every file not simply linked, with why.')
    .addOption(jsonOption())
    .action(async (slug: string, rawId: string | undefined, opts) => {
      const id = rawId === undefined ? undefined : Number(rawId);
      if (id !== undefined && !(Number.isSafeInteger(id) && id > 0)) {
        throw new LanyardError('invalid', `"${rawId}" is not a delivery number: run "lanyard delivery list ${slug}" to see them.`);
      }
      const report = await withServices(opts, env, async (s) => {
        const district = await getDistrict(s.db, slug);
        return id === undefined ? newestDelivery(s.db, district.id) : getDelivery(s.db, district.id, id);
      });
      if (opts.json) return out.stdout(`${JSON.stringify(report)}\n`);
      out.stdout(line(report));
      for (const p of report.problems) out.stdout(`${p.localId ?? '-'}\t${p.file}\t${p.outcome}\t${p.reason}\n`);
      if (report.moreProblems) out.stdout('(more files: see the CSV on the delivery page)\n');
    });
}
