import type { Command } from 'commander';
import { getDistrict } from '../districts/districts.js';
import { erasePerson, nothingStored, planErase, type ErasePlan } from '../retention/erase.js';
import { LanyardError } from '../shared/errors.js';
import { cliActor } from './actor.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function whatIsStored(p: ErasePlan): string {
  return [
    plural(p.versions, 'photo version'),
    plural(p.waitingPhotos, 'photo waiting for a roster', 'photos waiting for a roster'),
    `${plural(p.files.length, 'file')} in idphotos${p.files.length > 0 ? ` (${p.files.slice(0, 5).join(', ')}${p.files.length > 5 ? ', …' : ''})` : ''}`,
    `the stored bytes of ${plural(p.events.length, 'upload')} in the intake history`,
  ].join(', ');
}

export function registerPersonCommands(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  const person = program.command('person').description('People in a district.');
  withDataOptions(person.command('erase <slug> <localId>'))
    .description('Remove every photo and stored file of a person, now (rows that record history stay, without the bytes).')
    .option('--yes', 'really erase: without it, only says what would be removed')
    .addOption(jsonOption())
    .action(async (slug: string, localId: string, opts) => {
      const report = await withServices(opts, env, async (s) => {
        const district = await getDistrict(s.db, slug);
        if (!opts.yes) {
          const plan = await planErase(s.db, district.id, localId);
          const who = plan.name ? `${plan.name} (${localId})` : `Local ID ${localId}`;
          const what = nothingStored(plan) ? 'nothing is stored for them yet' : `this would remove ${whatIsStored(plan)}`;
          throw new LanyardError('invalid', `Nothing was erased. For ${who} in ${slug}, ${what}. It cannot be undone: run again with --yes to erase.`);
        }
        return erasePerson(s.db, s.blobs, { districtId: district.id, localId, by: cliActor() });
      });
      if (opts.json) {
        const { localId: id, name, versions, waitingPhotos, files, deleted, shared, pinned } = report;
        return out.stdout(`${JSON.stringify({ localId: id, name, versions, waitingPhotos, files, storedFilesDeleted: deleted, storedFilesShared: shared, storedFilesPending: pinned })}\n`);
      }
      const who = report.name ? `${report.name} (${localId})` : `Local ID ${localId}`;
      const shared = report.shared > 0 ? ` ${plural(report.shared, 'stored file')} also belong to someone else's photo and stay theirs.` : '';
      const pending = report.pinned > 0 ? ` ${plural(report.pinned, 'stored file is', 'stored files are')} being uploaded again right now; the next sweep removes them if nothing refers to them.` : '';
      out.stdout(`Erased ${who} in ${slug}: ${whatIsStored(report)}; ${plural(report.deleted, 'stored file')} deleted.${shared}${pending} New photos of them are welcome.\n`);
    });
}
