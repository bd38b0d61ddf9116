import path from 'node:path';
import type { Command } from 'commander';
import { getDistrict } from '../districts/districts.js';
import { deleteDistrict, planDistrictDelete } from '../districtExit/delete.js';
import { exportDistrict } from '../districtExit/export.js';
import { LanyardError } from '../shared/errors.js';
import { cliActor } from './actor.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

const LABELS: Record<string, string> = {
  people: 'people',
  photo_versions: 'photo versions',
  waiting_photos: 'waiting photos',
  dropbox_files: 'drop-box files',
  intake_events: 'intake events',
  devices: 'devices',
  checkouts: 'check-outs',
  incidents: 'incidents',
  staff: 'staff logins',
  api_tokens: 'API tokens',
  district_keys: 'SSH keys',
  roster_imports: 'roster imports',
  audit_log: 'audit entries',
  storedFiles: 'stored files',
};
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, n]) => `${n} ${LABELS[k] ?? k}`)
    .join(', ');

/** `district export` and `district delete`: a district's exit (CONTRACT.md). */
export function registerDistrictExit(district: Command, out: Output, env: NodeJS.ProcessEnv) {
  withDataOptions(district.command('export <slug>'))
    .description("Write the district's roster, current photos (<LocalID>.jpg), devices, check-outs, incidents and audit log into one zip.")
    .requiredOption('--out <file.zip>', 'where to write the zip')
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const file = path.resolve(String(opts.out));
      const counts = await withServices(opts, env, async (s) => {
        const d = await getDistrict(s.db, slug);
        return exportDistrict(s.db, s.blobs, { districtId: d.id, outFile: file, by: cliActor() });
      });
      out.stdout(opts.json ? `${JSON.stringify({ slug, file, ...counts })}\n` : `Exported ${slug} to ${file}: ${list({ ...counts })}.\n`);
    });

  withDataOptions(district.command('delete <slug>'))
    .description('Remove everything of the district: rows and stored bytes, logins, keys and tokens. Export first.')
    .option('--yes', 'really delete: without it, only says what would be removed')
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const counts = await withServices(opts, env, async (s) => {
        const d = await getDistrict(s.db, slug);
        if (!opts.yes) {
          const plan = await planDistrictDelete(s.db, d.id);
          throw new LanyardError(
            'invalid',
            `Nothing was deleted. Deleting ${slug} removes ${list(plan)} and every stored file only it uploaded, for good: export it first (lanyard district export ${slug} --out FILE.zip), then run again with --yes.`,
          );
        }
        return deleteDistrict(s.db, s.blobs, { districtId: d.id, by: cliActor() });
      });
      out.stdout(opts.json ? `${JSON.stringify({ slug, deleted: counts })}\n` : `Deleted ${slug}: ${list(counts)}.\n`);
    });
}
