import type { Command } from 'commander';
import { getDistrict } from '../districts/districts.js';
import { readSpace, setQuota, type DistrictSpace } from '../quota/quota.js';
import { formatBytes } from '../shared/bytes.js';
import { LanyardError } from '../shared/errors.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

/** `--bytes 500000000` sets, `--bytes default` returns to the server's default, absent leaves it. */
function quotaValue(raw: string | undefined, what: 'bytes' | 'files'): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'default') return null;
  if (!/^\d+$/.test(raw)) throw new LanyardError('invalid', `--${what} takes a whole number of ${what} or "default" (got ${JSON.stringify(raw)}).`);
  return Number(raw);
}

/** `lanyard district quota <slug> [--bytes N] [--files N]`: sets a district's own quota, then shows it beside what is used. */
export function registerQuotaCommand(district: Command, out: Output, env: NodeJS.ProcessEnv) {
  withDataOptions(district.command('quota <slug>'))
    .description("Show or set a district's drop-box quota (bytes and files); \"default\" returns a part to the server's --quota-bytes / --quota-files.")
    .option('--bytes <n>', 'bytes the drop box may hold, or "default"')
    .option('--files <n>', 'files the drop box may hold, or "default"')
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const bytes = quotaValue(opts.bytes, 'bytes');
      const files = quotaValue(opts.files, 'files');
      const space = await withServices(opts, env, async (s) => {
        const d = await getDistrict(s.db, slug);
        await setQuota(s.db.kysely, d.id, { bytes, files });
        return readSpace(s.db.kysely, d.id, s.config.quota);
      });
      if (opts.json) return out.stdout(`${JSON.stringify(quotaJson(slug, space))}\n`);
      out.stdout(describeSpace(slug, space));
    });
}

function quotaJson(slug: string, s: DistrictSpace) {
  return {
    slug,
    quota: { bytes: s.quotaBytes, files: s.quotaFiles, ownBytes: s.own.bytes, ownFiles: s.own.files },
    used: { bytes: s.usedBytes, files: s.usedFiles },
  };
}

function describeSpace(slug: string, s: DistrictSpace): string {
  const src = (own: boolean) => (own ? "the district's own" : "the server's default");
  return [
    `${slug}'s drop box:`,
    `  bytes: ${formatBytes(s.usedBytes)} used of ${formatBytes(s.quotaBytes)} (${src(s.own.bytes)})`,
    `  files: ${s.usedFiles.toLocaleString('en-US')} of ${s.quotaFiles.toLocaleString('en-US')} (${src(s.own.files)})`,
    '',
  ].join('\n');
}
