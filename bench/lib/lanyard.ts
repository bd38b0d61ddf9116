import { spawn } from 'node:child_process';
import type { Workspace } from '../../test/helpers/lanyard.js';
import { BIN } from '../../test/helpers/lanyard.js';

export interface BenchLanyard {
  sftpPort: number;
  pid: number;
  /** SIGTERM and wait; a profile, if asked for, is written then. */
  stop(): Promise<void>;
}

/**
 * The real `lanyard serve` on a workspace's data folder, ports 0, as the tests
 * start it (test/helpers/lanyard.ts), plus one thing they cannot do: with
 * BENCH_CPU_PROF=<dir> in the environment the server runs under
 * `node --cpu-prof`, and leaves a .cpuprofile there to open in Chrome's
 * DevTools (Performance tab) to see where an upload's time goes.
 */
export async function startBenchLanyard(ws: Workspace): Promise<BenchLanyard> {
  const profDir = process.env.BENCH_CPU_PROF;
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const env: NodeJS.ProcessEnv = { ...process.env, LANYARD_LOG_LEVEL: 'warn' };
  for (const k of Object.keys(env)) if ((k.startsWith('LANYARD_') && k !== 'LANYARD_LOG_LEVEL') || k === 'DATABASE_URL') delete env[k];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', ...ws.dataArgs, '--sftp-port', '0', '--http-port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  const sftpPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lanyard serve did not start in 20 s:\n${out}`)), 20_000);
    const check = () => {
      const m = /^sftp listening on [\d.]+:(\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      check();
    });
    // Keep draining both pipes so a chatty server never blocks on a full one.
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lanyard serve exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    sftpPort,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
