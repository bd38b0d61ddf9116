import { Option, type Command } from 'commander';
import { STAFF_ROLES } from '../staff/roles.js';
import { resetStaffPasswordByEmail } from '../staff/passwordChanges.js';
import { createStaff, ONE_TIME_DAYS } from '../staff/staff.js';
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

  withDataOptions(staff.command('reset-password <slug>'))
    .description(`Give someone a new one-time password (they choose their own at first sign-in; it stops working after ${ONE_TIME_DAYS} days).`)
    .requiredOption('--email <email>', 'the work email they sign in with')
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const r = await withServices(opts, env, (svc) => resetStaffPasswordByEmail(svc.db, { slug, email: opts.email }, cliActor()));
      if (opts.json) {
        out.stdout(`${JSON.stringify({ slug, email: r.member.email, password: r.password, mustChangePassword: true, expiresAt: r.expiresAt })}\n`);
        return;
      }
      out.stdout(
        `One-time password for ${r.member.email}: ${r.password}\n` +
          `They must choose their own password when they first sign in with it. It stops working at ${r.expiresAt} (UTC, ${ONE_TIME_DAYS} days from now).\n` +
          'Their old password and any signed-in browsers of theirs no longer work.\n',
      );
    });
}
