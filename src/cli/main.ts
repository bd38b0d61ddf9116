import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { isLanyardError } from '../shared/errors.js';
import { registerDeliveryCommands } from './delivery.js';
import { registerDemo } from './demo.js';
import { registerDistrictCommands } from './district.js';
import { registerHostKeyCommands } from './hostKeys.js';
import { registerPersonCommands } from './person.js';
import { registerPhotoCommands } from './photo.js';
import { registerRetentionRun } from './retention.js';
import { registerRosterCommands } from './roster.js';
import { registerServe } from './serve.js';
import { registerStaffCommands } from './staff.js';
import { registerTokenCommands } from './token.js';
import type { Output } from './output.js';

export function buildProgram(out: Output, env: NodeJS.ProcessEnv): Command {
  const program = new Command('lanyard')
    .description('Student and staff photo intake for school districts.')
    .showHelpAfterError('(run "lanyard help" to see every command)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) });
  registerServe(program, out, env);
  registerDistrictCommands(program, out, env);
  registerTokenCommands(program, out, env);
  registerStaffCommands(program, out, env);
  registerHostKeyCommands(program, out, env);
  registerPhotoCommands(program, out, env);
  registerPersonCommands(program, out, env);
  registerRetentionRun(program, out, env);
  registerDemo(program, out, env);
  registerRosterCommands(program, out, env);
  registerDeliveryCommands(program, out, env);
  return program;
}

/** Runs the CLI; resolves to the exit code. Errors a person can act on are printed as sentences, not stack traces. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, out: Output): Promise<number> {
  const program = buildProgram(out, env);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (isLanyardError(err) || err instanceof ConfigError) {
      if (json) out.stdout(`${JSON.stringify({ error: err.message })}\n`);
      out.stderr(`${err.message}\n`);
      return isLanyardError(err) && err.kind === 'unavailable' ? 3 : 1;
    }
    out.stderr(`Lanyard failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (json) out.stdout(`${JSON.stringify({ error: 'Lanyard failed unexpectedly; see the message on standard error.' })}\n`);
    return 70;
  }
}
