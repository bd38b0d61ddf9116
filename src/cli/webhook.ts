import type { Command } from 'commander';
import { getDistrict } from '../districts/districts.js';
import { removeWebhook, setWebhook } from '../webhooks/webhooks.js';
import { cliActor } from './actor.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

/** `lanyard district webhook <slug> <url|off>`: what the Settings page's webhook card does, for scripts. */
export function registerWebhookCommand(district: Command, out: Output, env: NodeJS.ProcessEnv) {
  withDataOptions(district.command('webhook <slug> <url>'))
    .description('Push each finished delivery to this https:// address, signed with a new secret (printed); "off" stops the pushes.')
    .addOption(jsonOption())
    .action(async (slug: string, url: string, opts) => {
      const hook = await withServices(opts, env, async (s) => {
        const d = await getDistrict(s.db, slug);
        if (url === 'off') return void (await removeWebhook(s.db, d.id, cliActor()));
        return setWebhook(s.db, d.id, url, cliActor());
      });
      if (!hook) return out.stdout(opts.json ? `${JSON.stringify({ webhook: null })}\n` : `${slug}'s deliveries are no longer pushed.\n`);
      if (opts.json) return out.stdout(`${JSON.stringify({ webhook: { url: hook.url, secret: hook.secret } })}\n`);
      out.stdout(`Finished deliveries of ${slug} are pushed to ${hook.url}.\nSecret (verify the x-lanyard-signature header with it): ${hook.secret}\n`);
    });
}
