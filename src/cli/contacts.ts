import type { Command } from 'commander';
import { getDistrict } from '../districts/districts.js';
import { addContact, listContacts, removeContact } from '../mail/contacts.js';
import { cliActor } from './actor.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

/** `lanyard district contacts <slug> [--add E] [--remove E]`: who is e-mailed when a delivery finishes. */
export function registerContactsCommand(district: Command, out: Output, env: NodeJS.ProcessEnv) {
  withDataOptions(district.command('contacts <slug>'))
    .description("Show who is e-mailed when a delivery finishes (needs the server's --smtp-url); --add or --remove one address.")
    .option('--add <email>', 'e-mail this address when a delivery finishes')
    .option('--remove <email>', 'stop e-mailing this address')
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const contacts = await withServices(opts, env, async (s) => {
        const d = await getDistrict(s.db, slug);
        if (opts.add !== undefined) await addContact(s.db, d.id, opts.add, cliActor());
        if (opts.remove !== undefined) await removeContact(s.db, d.id, opts.remove, cliActor());
        return listContacts(s.db, d.id);
      });
      if (opts.json) return out.stdout(`${JSON.stringify({ contacts })}\n`);
      if (contacts.length === 0) return out.stdout(`Nobody is e-mailed when a delivery to ${slug} finishes.\n`);
      out.stdout(`When a delivery to ${slug} finishes, these are e-mailed:\n${contacts.map((e) => `  ${e}\n`).join('')}`);
    });
}
