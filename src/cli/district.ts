import { registerQuotaCommand } from './quota.js';
import fs from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { addSshKey, AUTH_MODES, createDistrict, setSftpAuthMode, setSftpPassword } from '../districts/districts.js';
import { loadHostKeys, publicView } from '../hostKeys/hostKeys.js';
import { LanyardError } from '../shared/errors.js';
import { cliActor } from './actor.js';
import { registerDistrictExit } from './districtExit.js';
import { registerRetentionCommand } from './retention.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { registerContactsCommand } from './contacts.js';
import { registerWebhookCommand } from './webhook.js';
import { renderWelcome } from './welcome.js';
import { withServices } from './withServices.js';

export function registerDistrictCommands(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  const district = program.command('district').description('Districts and their SFTP accounts.');
  registerWebhookCommand(district, out, env);
  registerContactsCommand(district, out, env);
  registerRetentionCommand(district, out, env);
  registerDistrictExit(district, out, env);
  registerQuotaCommand(district, out, env);

  withDataOptions(district.command('create <slug>'))
    .description('Create a district and its SFTP account (username = slug); prints the welcome sheet.')
    .requiredOption('--name <name>', 'the district\'s name, as people say it')
    .option('--password <password>', 'SFTP password (default: a strong random one)')
    .addOption(new Option('--sftp-port <n>', 'the SFTP port to print on the welcome sheet').env('LANYARD_SFTP_PORT'))
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      await withServices(opts, env, async (s) => {
        const hostKeys = await loadHostKeys(s.db);
        const { district: d, password } = await createDistrict(s.db, { slug, name: opts.name, password: opts.password });
        const host = s.config.sftp.publicHost;
        const port = s.config.sftp.port;
        if (opts.json) {
          out.stdout(
            `${JSON.stringify({ slug: d.slug, name: d.name, sftp: { host, port, username: d.slug, password }, hostKeys: publicView(hostKeys), folders: ['idphotos', 'data'] })}\n`,
          );
        } else {
          out.stdout(renderWelcome({ district: d, host, port, password, hostKeys }));
        }
      });
    });

  withDataOptions(district.command('password <slug>'))
    .description('Set a new SFTP password (default: a strong random one, shown once).')
    .option('--password <password>', 'the new password')
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const pw = await withServices(opts, env, (s) => setSftpPassword(s.db, slug, opts.password, cliActor()));
      out.stdout(opts.json ? `${JSON.stringify({ slug, password: pw })}\n` : `New SFTP password for ${slug} (shown once): ${pw}\n`);
    });

  const key = district.command('key').description('SSH public keys of a district\'s SFTP account.');
  withDataOptions(key.command('add <slug> <public-key-file>'))
    .description('Add an OpenSSH public key (ed25519, ECDSA or RSA; the .pub file).')
    .addOption(jsonOption())
    .action(async (slug: string, file: string, opts) => {
      const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new LanyardError('not-found', `Cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}.`);
      });
      const k = await withServices(opts, env, (s) => addSshKey(s.db, slug, text, cliActor()));
      out.stdout(opts.json ? `${JSON.stringify({ slug, algorithm: k.algorithm, fingerprint: k.fingerprint })}\n` : `Added ${k.algorithm} key ${k.fingerprint} to ${slug}.\n`);
    });

  withDataOptions(district.command('auth <slug>'))
    .description('Choose how the SFTP account logs in.')
    .addOption(new Option('--require <mode>', 'password, publickey, both (key and password) or either').choices(AUTH_MODES as string[]).makeOptionMandatory())
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const d = await withServices(opts, env, (s) => setSftpAuthMode(s.db, slug, opts.require, cliActor()));
      out.stdout(opts.json ? `${JSON.stringify({ slug, auth: d.sftpAuth })}\n` : `${slug} now logs in with: ${describeMode(d.sftpAuth)}.\n`);
    });
}

function describeMode(mode: string) {
  return { password: 'a password', publickey: 'an SSH key', both: 'an SSH key and a password', either: 'an SSH key or a password' }[mode] ?? mode;
}
