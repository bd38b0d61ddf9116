import type { Command } from 'commander';
import { createApiToken } from '../districts/tokens.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

export function registerTokenCommands(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  const token = program.command('token').description('API tokens for integrations.');
  withDataOptions(token.command('create <slug>'))
    .description("Make an API token for a district's integrations (shown once).")
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const t = await withServices(opts, env, (s) => createApiToken(s.db, slug));
      if (opts.json) return out.stdout(`${JSON.stringify({ token: t })}\n`);
      out.stdout(`API token for ${slug} (shown once; keep it like a password):\n\n  ${t}\n\nSend it as "Authorization: Bearer ${t.slice(0, 8)}…".\n`);
    });
}
