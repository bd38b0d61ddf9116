import type { Command } from 'commander';
import { loadHostKeys, publicView } from '../hostKeys/hostKeys.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

export function registerHostKeyCommands(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  withDataOptions(program.command('host-keys'))
    .description("Print the server's host key fingerprints, as SFTP clients show them.")
    .addOption(jsonOption())
    .action(async (opts) => {
      const keys = await withServices(opts, env, (s) => loadHostKeys(s.db));
      if (opts.json) return out.stdout(`${JSON.stringify({ hostKeys: publicView(keys) })}\n`);
      out.stdout('Host key fingerprints (FileZilla, WinSCP and OpenSSH show one of these on first connect):\n');
      for (const k of keys) out.stdout(`  ${k.type.padEnd(12)} ${k.sha256}\n  ${''.padEnd(12)} ${k.md5}\n`);
    });
}
