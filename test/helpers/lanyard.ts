import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_FIXTURES } from '../fixtures/paths.js';
import { createDatabase, dropDatabase, type Dialect } from './databases.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(REPO, 'bin/lanyard.js');
/** The sample people, rosters, photos and packages (test/fixtures/README.md), generated before the tests run by scripts/test.mjs. */
export const FIXTURES = GENERATED_FIXTURES;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A data folder and database of its own, for driving the CLI and the server like a person would. */
export class Workspace {
  private constructor(
    readonly dialect: Dialect,
    readonly dataDir: string,
    readonly databaseUrl: string | undefined,
  ) {}

  static async create(dialect: Dialect): Promise<Workspace> {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `lanyard-${dialect}-`));
    return new Workspace(dialect, dataDir, await createDatabase(dialect));
  }

  get dataArgs(): string[] {
    return ['--data-dir', this.dataDir, ...(this.databaseUrl ? ['--database', this.databaseUrl] : [])];
  }

  /** Runs `lanyard <args>` against this workspace. */
  cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args, ...this.dataArgs], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  async cliJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const r = await this.cli([...args, '--json']);
    if (r.code !== 0) throw new Error(`lanyard ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Creates a district with a known password; returns its JSON welcome sheet. */
  async district(slug: string, password = 'correct horse battery staple'): Promise<DistrictSheet> {
    return this.cliJson<DistrictSheet>(['district', 'create', slug, '--name', `${slug} schools`, '--password', password]);
  }

  async token(slug: string): Promise<string> {
    return (await this.cliJson<{ token: string }>(['token', 'create', slug])).token;
  }

  start(extra: string[] = [], env: Record<string, string> = {}): Promise<RunningLanyard> {
    return RunningLanyard.start(this, extra, env);
  }

  async dispose(): Promise<void> {
    await dropDatabase(this.databaseUrl);
    await fs.rm(this.dataDir, { recursive: true, force: true });
  }
}

export interface DistrictSheet {
  slug: string;
  name: string;
  sftp: { host: string; port: number; username: string; password: string };
  hostKeys: Array<{ type: string; sha256: string; md5: string }>;
}

/** `lanyard serve` as a child process on free loopback ports. */
export class RunningLanyard {
  private exited: Promise<number | null>;
  output = '';

  private constructor(
    readonly workspace: Workspace,
    private readonly child: ChildProcess,
    readonly sftpPort: number,
    readonly httpPort: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(ws: Workspace, extra: string[], env: Record<string, string>): Promise<RunningLanyard> {
    // BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops, as in bench/lib/lanyard.ts.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = spawn(process.execPath, [...profile, BIN, 'serve', ...ws.dataArgs, '--sftp-port', '0', '--http-port', '0', '--roster-settle', '1', ...extra], {
      env: { ...cleanEnv(), LANYARD_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const ports = await new Promise<{ sftp: number; http: number }>((resolve, reject) => {
      const check = () => {
        const s = /^sftp listening on [\d.]+:(\d+)$/m.exec(out);
        const h = /^http listening on http:\/\/[\d.]+:(\d+)$/m.exec(out);
        if (s && h) resolve({ sftp: Number(s[1]), http: Number(h[1]) });
      };
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        check();
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (code) => reject(new Error(`lanyard serve exited (${code}) before listening:\n${out}\n${err}`)));
      setTimeout(() => reject(new Error(`lanyard serve did not start in 20 s:\n${out}\n${err}`)), 20_000).unref();
    });
    const running = new RunningLanyard(ws, child, ports.sftp, ports.http);
    child.stderr!.on('data', (d: Buffer) => (running.output += d.toString()));
    running.output = out + err;
    return running;
  }

  get pid(): number {
    return this.child.pid!;
  }

  url(p: string): string {
    return `http://127.0.0.1:${this.httpPort}${p}`;
  }

  /** SIGTERM and wait: the clean stop. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** kill -9: the crash. */
  async crash(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The test runner's environment without anything that would point Lanyard elsewhere. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('LANYARD_') || k === 'DATABASE_URL') delete env[k];
  return env;
}
