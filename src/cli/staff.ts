import { Option, type Command } from 'commander';
import { STAFF_ROLES } from '../staff/roles.js';
import { createStaff } from '../staff/staff.js';
import { cliActor } from './actor.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

export function registerStaffCommands(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  const staff = program.command('staff').description('Web sign-ins for district staff.');
  withDataOptions(staff.command('create <slug>'))
    .description('Make a web sign-in for someone at a district.')
    .requiredOption('--email <email>', 'their work email (what they sign in with)')
    .requiredOption('--password <password>', 'their password (at least 8 characters)')
    .addOption(new Option('--role <role>', 'admin, technician (devices, check-out, incidents) or viewer').choices(STAFF_ROLES as string[]).makeOptionMandatory())
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const s = await withServices(opts, env, (svc) => createStaff(svc.db, { slug, email: opts.email, password: opts.password, role: opts.role }, cliActor()));
      out.stdout(opts.json ? `${JSON.stringify({ slug, email: s.email, role: s.role })}\n` : `${s.email} can now sign in to ${slug} as ${s.role}.\n`);
    });
}
