import { Option, type Command } from 'commander';
import { startServer, type RunningServer } from '../app/serve.js';
import { loadConfig } from '../config/config.js';
import { withDataOptions } from './options.js';
import type { Output } from './output.js';

export function registerServe(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  withDataOptions(program.command('serve'))
    .description('Start the SFTP server, the web app and the intake workers.')
    .addOption(new Option('--sftp-port <n>', 'SFTP port (0 picks a free one)').env('LANYARD_SFTP_PORT'))
    .addOption(new Option('--http-port <n>', 'web port (0 picks a free one)').env('LANYARD_HTTP_PORT'))
    .addOption(new Option('--roster-settle <seconds>', 'how long a roster file must sit unchanged before it is imported').env('LANYARD_ROSTER_SETTLE'))
    .addOption(new Option('--max-upload-bytes <n>', 'largest file accepted over SFTP').env('LANYARD_MAX_UPLOAD_BYTES'))
    .addOption(new Option('--quota-bytes <n>', "a district's drop-box quota in bytes, unless it has its own (lanyard district quota); default 100 GB").env('LANYARD_QUOTA_BYTES'))
    .addOption(new Option('--quota-files <n>', "a district's drop-box quota in files, unless it has its own; default 1,000,000").env('LANYARD_QUOTA_FILES'))
    .addOption(new Option('--trusted-proxies <list>', 'addresses or networks of the proxies in front (HAProxy), comma-separated: they send the PROXY protocol on SFTP and X-Forwarded-For on HTTP').env('LANYARD_TRUSTED_PROXIES'))
    .addOption(new Option('--smtp-url <url>', 'e-mail each finished delivery to the district\'s contacts through this SMTP server (smtp://user:password@host:587 or smtps://host:465)').env('LANYARD_SMTP_URL'))
    .addOption(new Option('--mail-from <address>', 'the sender of those e-mails (default: Lanyard <lanyard@this host>)').env('LANYARD_MAIL_FROM'))
    .addOption(new Option('--intake <on|off>', 'process uploads on this node (off: another node sharing the database does)').choices(['on', 'off']).env('LANYARD_INTAKE'))
    .action(async (opts) => {
      const config = loadConfig(opts, env);
      const server = await startServer(config, (line) => out.stdout(`${line}\n`));
      out.stdout(await connectHint(server, config.sftp.publicHost));
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          out.stderr(`${signal}: stopping; uploads in progress have ${config.sftp.drainSeconds} s to finish (any still open then are abandoned, their earlier versions kept).\n`);
          server.stop().then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}

/** What a newcomer does next: where to point an SFTP client and a browser. */
async function connectHint(server: RunningServer, host: string): Promise<string> {
  const lines = [
    '',
    'Lanyard is running.',
    `  Web app:  http://${host}:${server.httpPort}/`,
    `  SFTP:     host ${host}, port ${server.sftpPort} (e.g. sftp -P ${server.sftpPort} <district>@${host})`,
    '  Host key fingerprints (what SFTP clients show on first connect):',
    ...server.hostKeys.map((k) => `    ${k.type.padEnd(12)} ${k.sha256}`),
  ];
  if ((await server.districtCount()) === 0) {
    lines.push('', 'No districts yet. In another terminal, create one and print its welcome sheet:', '  npx lanyard district create demo --name "Demo District"');
  }
  return `${lines.join('\n')}\n\n`;
}
