import { Option, type Command } from 'commander';

/** Options every command takes, so management commands find the same data as the server. */
export function withDataOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data-dir <dir>', 'data folder (database, host keys, stored files)').env('LANYARD_DATA_DIR'))
    .addOption(new Option('--database <url>', 'postgres://… to use PostgreSQL (default: SQLite in the data folder)').env('DATABASE_URL'));
}

export const jsonOption = () => new Option('--json', 'print exactly one JSON object');
