import { Option, type Command } from 'commander';
import { getDistrict } from '../districts/districts.js';
import { describeDays, parseDays, RULE_FLAGS, RULE_LABELS, RULES, setPolicy, type PolicyChange, type RetentionPolicy } from '../retention/policy.js';
import { runRetention, type RuleReport } from '../retention/run.js';
import { cliActor } from './actor.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function policyText(slug: string, p: RetentionPolicy): string {
  const lines = RULES.map((r) => `  ${RULE_LABELS[r]}: ${describeDays(r, p[r])} (--${RULE_FLAGS[r]})`);
  return `Retention for ${slug}:\n${lines.join('\n')}\n`;
}

/** `district retention <slug> [--<rule>-days N|default]`: shows the policy, and changes the rules given. */
export function registerRetentionCommand(district: Command, out: Output, env: NodeJS.ProcessEnv) {
  const cmd = withDataOptions(district.command('retention <slug>'))
    .description('Show how long the district keeps photos and files it no longer needs, and change it (days, or "default").')
    .addOption(jsonOption());
  for (const r of RULES) cmd.addOption(new Option(`--${RULE_FLAGS[r]} <days>`, `${RULE_LABELS[r]}: days to keep, or "default"`));
  cmd.action(async (slug: string, opts: Record<string, string | boolean | undefined>) => {
    const change: PolicyChange = {};
    for (const r of RULES) {
      const v = opts[camel(RULE_FLAGS[r])];
      if (typeof v === 'string') change[r] = parseDays(r, v);
    }
    const policy = await withServices(opts, env, async (s) => {
      const d = await getDistrict(s.db, slug);
      return setPolicy(s.db, d.id, change, cliActor());
    });
    out.stdout(opts.json ? `${JSON.stringify({ slug, retention: policy })}\n` : policyText(slug, policy));
  });
}

const reportLine = (r: RuleReport) =>
  `  ${r.districtId === null ? 'all districts' : `district ${r.districtId}`}, ${r.rule}: ${r.items} rows, ${r.files} stored files, ${r.bytes} bytes`;

/** `retention run`: one retention run now, on this node, whatever the schedule (the lease is for the schedule). */
export function registerRetentionRun(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  withDataOptions(program.command('retention').command('run'))
    .description("Apply every district's retention policy now and delete stored bytes nothing refers to; prints what was removed.")
    .addOption(jsonOption())
    .action(async (opts) => {
      const reports = await withServices(opts, env, (s) => runRetention(s.db, s.blobs, { now: new Date(), log: s.log }));
      if (opts.json) return out.stdout(`${JSON.stringify({ removed: reports })}\n`);
      out.stdout(reports.length === 0 ? 'Retention: nothing to remove.\n' : `Retention removed:\n${reports.map(reportLine).join('\n')}\n`);
    });
}
