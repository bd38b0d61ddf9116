import { InvalidArgumentError, type Command } from 'commander';
import { createApiToken, listApiTokens, revokeApiToken, type ApiTokenInfo } from '../districts/tokens.js';
import { LanyardError } from '../shared/errors.js';
import { cliActor } from './actor.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

export function registerTokenCommands(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  const token = program.command('token').description('API tokens for integrations.');
  withDataOptions(token.command('create <slug>'))
    .description("Make an API token for a district's integrations (shown once).")
    .option('--label <text>', 'what will use it, e.g. "Incident IQ sync"')
    .option('--expires <date|days>', 'when it stops working: a date (2027-06-30) or a number of days (90); default: until revoked', parseExpiry)
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const t = await withServices(opts, env, (s) => createApiToken(s.db, slug, { label: opts.label, expiresAt: opts.expires }, cliActor()));
      if (opts.json) return out.stdout(`${JSON.stringify({ token: t.token, id: t.id, expiresAt: opts.expires ?? null })}\n`);
      const until = opts.expires ? `It works until ${opts.expires}.` : 'It works until revoked.';
      out.stdout(
        `API token ${t.id} for ${slug} (shown once; keep it like a password):\n\n  ${t.token}\n\n${until} Send it as "Authorization: Bearer ${t.token.slice(0, 8)}…".\n`,
      );
    });

  withDataOptions(token.command('list <slug>'))
    .description("A district's API tokens: number, label, the token's first characters, made, expires.")
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const tokens = await withServices(opts, env, (s) => listApiTokens(s.db, slug));
      if (opts.json) return out.stdout(`${JSON.stringify({ tokens })}\n`);
      if (tokens.length === 0) return out.stdout(`${slug} has no API tokens. \`lanyard token create ${slug}\` makes one.\n`);
      out.stdout(tokens.map(describe).join('\n') + '\n');
    });

  withDataOptions(token.command('revoke <slug> <id>'))
    .description('Revoke an API token at once (its number from `token list`).')
    .addOption(jsonOption())
    .action(async (slug: string, id: string, opts) => {
      const n = Number(id);
      if (!Number.isInteger(n) || n <= 0) throw new LanyardError('invalid', `"${id}" is not a token number: \`lanyard token list ${slug}\` shows them.`);
      await withServices(opts, env, (s) => revokeApiToken(s.db, slug, n, cliActor()));
      out.stdout(opts.json ? `${JSON.stringify({ slug, revoked: n })}\n` : `API token ${n} of ${slug} is revoked: calls with it now get 401.\n`);
    });
}

function describe(t: ApiTokenInfo): string {
  const state = t.expiresAt === null ? 'until revoked' : t.expired ? `expired ${t.expiresAt}` : `expires ${t.expiresAt}`;
  return `${t.id}\t${t.shown ?? '(made before tokens were listed)'}\t${t.label ?? '(no label)'}\tmade ${t.createdAt}\t${state}`;
}

/** `2027-06-30` (the end of that day, UTC) or a number of days from now, as an ISO time. */
export function parseExpiry(value: string): string {
  if (/^\d{1,4}$/.test(value)) {
    const days = Number(value);
    if (days < 1) throw new InvalidArgumentError('give at least 1 day.');
    return new Date(Date.now() + days * 86_400_000).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T23:59:59Z`))) return new Date(`${value}T23:59:59Z`).toISOString();
  throw new InvalidArgumentError(`"${value}" is neither a date like 2027-06-30 nor a number of days.`);
}
