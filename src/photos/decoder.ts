import { fork, type ChildProcess } from 'node:child_process';
import fsSync from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createLimiter } from './limiter.js';
import { normalisePhoto, recommendedPhotoParallelism, type NormaliseResult } from './normalise.js';

/**
 * Where photos are decoded. The server decodes in child processes of lower
 * OS priority, so a district's backlog of thousands of photos can use every
 * idle cycle yet never delays an SFTP reply or a page for another district:
 * libvips runs on libuv's process-wide thread pool, which a worker thread's
 * priority would not reach, and a photo that crashes libvips takes only its
 * child down (the event is retried, then refused), never the server.
 *
 * On Linux the children run under SCHED_IDLE, not merely a higher nice value.
 * Linux's scheduler (EEVDF, since 6.6) lets a running task finish its slice
 * before a woken one of higher priority takes the core, so every time the
 * server or an SFTP client woke for a packet it could wait behind a niced
 * decoder: measured on 2 cores, a 2,000-photo upload took 2.1× as long with
 * the intake on as with it off at nice +10, and 1.2–1.9× (four runs on a
 * noisy machine) under SCHED_IDLE, whose tasks give way to any other at once.
 */
export interface PhotoDecoder {
  normalise(bytes: Buffer): Promise<NormaliseResult>;
  close(): Promise<void>;
}

/** Decodes on this process's own thread pool: for short-lived commands (the demo) and tests of the rules. */
export function inProcessDecoder(parallel = recommendedPhotoParallelism()): PhotoDecoder {
  const limit = createLimiter(parallel);
  return { normalise: (bytes) => limit(() => normalisePhoto(bytes)), close: async () => undefined };
}

export interface DecoderProcessOptions {
  /** Child processes; each decodes `perProcess` photos at once. */
  processes?: number;
  perProcess?: number;
  /**
   * `idle` (the default): SCHED_IDLE where the system can start a process so
   * (Linux with util-linux's `chrt`), else the niceness below. A number: that
   * much added to the children's niceness, and no SCHED_IDLE.
   */
  priority?: 'idle' | number;
  /** util-linux's chrt, which starts the children under SCHED_IDLE (default /usr/bin/chrt). */
  chrt?: string;
}

/** Added to the children's niceness where SCHED_IDLE is not to be had. */
const FALLBACK_NICENESS = 10;

/** util-linux's chrt: starts a program under another scheduling policy. Every Debian system has it (util-linux is essential). */
const CHRT = '/usr/bin/chrt';

interface Launch {
  execPath: string;
  execArgv: string[];
  niceness: number;
  viaChrt: boolean;
}

/** How a decoder child is started: under `chrt --idle 0` when it can be, so the policy holds from its first instruction. */
function childLaunch(priority: 'idle' | number, chrt: string): Launch {
  if (priority === 'idle' && process.platform === 'linux' && canRun(chrt)) return { execPath: chrt, execArgv: ['--idle', '0', process.execPath], niceness: 0, viaChrt: true };
  return niceLaunch(priority === 'idle' ? FALLBACK_NICENESS : priority);
}

const niceLaunch = (niceness: number): Launch => ({ execPath: process.execPath, execArgv: [], niceness, viaChrt: false });

function canRun(file: string): boolean {
  try {
    fsSync.accessSync(file, fsSync.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** What a decoder child is sent and answers (see decoderProcess.ts). */
export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
}
export type DecodeReply = { id: number; result: NormaliseResult } | { id: number; error: string };
/** What a decoder child sends first, once Node.js runs it: it got as far as its own code. */
export interface DecoderReady {
  ready: true;
}

export class DecoderStoppedError extends Error {
  constructor(detail: string) {
    super(`the photo decoder stopped while reading this photo (${detail})`);
    this.name = 'DecoderStoppedError';
  }
}

interface Job {
  bytes: Buffer;
  resolve(r: NormaliseResult): void;
  reject(e: Error): void;
}

interface Child {
  process: ChildProcess;
  jobs: Map<number, Job>;
  /** Photos it has answered: one that ends having answered none may not be able to start at all. */
  answered: number;
  /** It said it runs (DecoderReady): a child that ends before this never got as far as Node.js. */
  started: boolean;
}

const CHILD_SCRIPT = fileURLToPath(new URL('./decoderProcess.js', import.meta.url));

export function decoderProcesses(opts: DecoderProcessOptions = {}): PhotoDecoder & { pids(): number[] } {
  const count = opts.processes ?? Math.max(1, os.availableParallelism());
  const perProcess = opts.perProcess ?? Math.max(1, Math.ceil(recommendedPhotoParallelism() / count));
  let launch = childLaunch(opts.priority ?? 'idle', opts.chrt ?? CHRT);
  const children: Array<Child | undefined> = new Array<Child | undefined>(count).fill(undefined);
  const waiting: Job[] = [];
  let nextId = 1;
  let closed = false;
  /** Children in a row that ended before answering anything: a decoder that cannot start at all. */
  let failedStarts = 0;

  function spawnChild(slot: number): Child {
    const child: Child = {
      // Plain `node` flags only: the parent's --inspect or --test must not reach the child.
      process: fork(CHILD_SCRIPT, [], { serialization: 'advanced', execPath: launch.execPath, execArgv: launch.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      jobs: new Map(),
      answered: 0,
      started: false,
    };
    // Lowered here, at once, rather than by the child once it has loaded: no photo is ever decoded at the server's priority.
    try {
      if (launch.niceness > 0 && child.process.pid !== undefined) os.setPriority(child.process.pid, Math.min(19, os.getPriority() + launch.niceness));
    } catch {
      // Not allowed here: decoding still works, only without yielding to the server.
    }
    child.process.on('message', (m: DecodeReply | DecoderReady) => {
      if ('ready' in m) {
        child.started = true;
        return;
      }
      const job = child.jobs.get(m.id);
      if (!job) return;
      child.jobs.delete(m.id);
      child.answered++;
      failedStarts = 0;
      if ('error' in m) job.reject(new Error(`decoding failed: ${m.error}`));
      else job.resolve(revive(m.result));
      dispatch();
    });
    child.process.on('exit', (code, signal) => {
      if (children[slot] === child) children[slot] = undefined;
      const detail = signal ? `signal ${signal}` : `exit code ${code}`;
      // A system that refuses SCHED_IDLE (a sandbox that filters sched_setscheduler, say) must not stop the
      // intake: from then on children start at a lower niceness, and this one's photos wait for them.
      if (launch.viaChrt && !child.started && !closed) {
        launch = niceLaunch(FALLBACK_NICENESS);
        waiting.unshift(...child.jobs.values());
        child.jobs.clear();
        return dispatch();
      }
      for (const job of child.jobs.values()) job.reject(new DecoderStoppedError(detail));
      child.jobs.clear();
      if (closed) return;
      if (child.answered > 0) return dispatch();
      // It never got going: try again after a pause, and after a few such starts fail what waits rather
      // than fork in a loop (each photo then fails an attempt, and the district is told after three).
      if (++failedStarts >= 3) for (const job of waiting.splice(0)) job.reject(new DecoderStoppedError(`it cannot start: ${detail}`));
      setTimeout(dispatch, 1000).unref();
    });
    // An IPC error (the child gone mid-send) is followed by 'exit', which fails its jobs.
    child.process.on('error', () => undefined);
    children[slot] = child;
    return child;
  }

  function dispatch(): void {
    while (!closed && waiting.length > 0) {
      let best: Child | undefined;
      for (let slot = 0; slot < count; slot++) {
        const c = children[slot] ?? spawnChild(slot);
        if (c.jobs.size < perProcess && (!best || c.jobs.size < best.jobs.size)) best = c;
      }
      if (!best) return;
      const job = waiting.shift() as Job;
      const id = nextId++;
      best.jobs.set(id, job);
      const request: DecodeRequest = { id, bytes: job.bytes };
      best.process.send(request);
    }
  }

  return {
    /** The children running now (for operators and tests). */
    pids: () => children.flatMap((c) => (c?.process.pid === undefined ? [] : [c.process.pid])),
    normalise(bytes) {
      if (closed) return Promise.reject(new DecoderStoppedError('the server is stopping'));
      return new Promise<NormaliseResult>((resolve, reject) => {
        waiting.push({ bytes, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const job of waiting.splice(0)) job.reject(new DecoderStoppedError('the server is stopping'));
      await Promise.all(
        children.map(
          (c) =>
            c &&
            new Promise<void>((resolve) => {
              if (c.process.exitCode !== null || c.process.signalCode !== null) return resolve();
              c.process.once('exit', () => resolve());
              c.process.kill();
            }),
        ),
      );
    },
  };
}

/** Buffers cross the IPC channel as plain Uint8Arrays. */
function revive(r: NormaliseResult): NormaliseResult {
  if (!r.ok) return r;
  return { ...r, sizes: { profile: asBuffer(r.sizes.profile), thumb: asBuffer(r.sizes.thumb) } };
}

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
