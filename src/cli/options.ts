import { Option, type Command } from 'commander';

/** Options every command takes, so management commands find the same data as the server. */
export function withDataOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data-dir <dir>', 'data folder (database, host keys, stored files)').env('LANYARD_DATA_DIR'))
    .addOption(new Option('--database <url>', 'postgres://… to use PostgreSQL (default: SQLite in the data folder)').env('DATABASE_URL'))
    .addOption(
      new Option('--blob-store <url>', 'where stored files live: file (under the data folder) or s3://BUCKET/PREFIX (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID…)').env(
        'LANYARD_BLOB_STORE',
      ),
    );
}

export const jsonOption = () => new Option('--json', 'print exactly one JSON object');
