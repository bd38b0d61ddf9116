import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import type { Database, DropboxFolder } from '../db/schema.js';
import { claimEvents, finishEvent, renewClaims, type ClaimedEvent, type Outcome } from './queue.js';

/**
 * What a folder's intake decides for one event. The slow part (reading,
 * decoding, resizing) happens before; `apply` runs in the transaction that also
 * records the outcome, so a person's photo and the event that explains it never
 * disagree, even if the server dies between the two.
 */
export interface Decision extends Outcome {
  apply?: (trx: Kysely<Database>) => Promise<void>;
  /** After the commit: wake other work (a roster import linking waiting photos). */
  afterCommit?: () => Promise<void>;
}

/**
 * Thrown by a handler's decide() or apply() when an event cannot be finished
 * now for a reason that is not the file's fault and passes on its own: a
 * roster import whose district changed between reading the file and applying
 * it. The worker works the event out again after a short pause, keeping its
 * claim, and does not count a failed attempt; only RETRY_LATER_TIMES of them
 * in a row count as one, so an event can neither spin nor wait forever.
 */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

export interface IntakeHandler {
  folder: DropboxFolder;
  /** How many events of this folder are worked on at once in this process. */
  concurrency: number;
  /** Seconds an event must sit before it is claimed. */
  settleSeconds: number;
  /** How long a claim holds without renewal. */
  leaseSeconds: number;
  decide(event: ClaimedEvent): Promise<Decision>;
}

export interface IntakeWorker {
  /** A new event may be waiting: look now rather than at the next poll. */
  poke(folder?: DropboxFolder): void;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  db: Db;
  log: Logger;
  handlers: IntakeHandler[];
  /** Other nodes' uploads and settling rosters are found by polling. */
  pollMs?: number;
  /** The first pause after a RetryLater; each next one is twice as long. */
  retryLaterMs?: number;
  /**
   * True while this node's SFTP edge is taking uploads: the intake then works
   * on at most `BUSY_CONCURRENCY` events per folder, and takes the rest up as
   * soon as the uploads pause. Each event the intake works costs the disk
   * syncs of the sizes it stores and the process's event loop its
   * bookkeeping, and an upload's CLOSE waits for its own syncs behind them:
   * with a dozen events at once, a burst of 2,000 photos uploaded four times
   * slower than with the intake elsewhere. The district that is uploading
   * would rather its upload finish; one photo at a time keeps every other
   * district's photos moving (claims take districts in turn).
   */
  edgeBusy?: () => boolean;
}

/** Events per folder worked on at once while the edge is busy (see WorkerOptions.edgeBusy). */
export const BUSY_CONCURRENCY = 1;

/** A decision that failed unexpectedly is retried this many times before the district is told. */
export const MAX_ATTEMPTS = 3;
/** RetryLaters in a row that an attempt absorbs (pauses of 50, 100, 200, 400 and 800 ms by default) before it counts as failed. */
export const RETRY_LATER_TIMES = 5;

export function startIntakeWorker(opts: WorkerOptions): IntakeWorker {
  const loops = opts.handlers.map((h) => folderLoop(h, opts));
  return {
    poke(folder) {
      for (const l of loops) if (!folder || l.folder === folder) l.poke();
    },
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}

interface FolderLoop {
  folder: DropboxFolder;
  poke(): void;
  stop(): Promise<void>;
}

function folderLoop(handler: IntakeHandler, opts: WorkerOptions): FolderLoop {
  const { db } = opts;
  const log = opts.log.child({ component: 'intake', folder: handler.folder });
  const pollMs = opts.pollMs ?? 500;
  const inFlight = new Map<number, Promise<void>>();
  let stopped = false;
  let wake: (() => void) | undefined;
  let poked = false;
  // The district the last claim served last: the next claim begins after it, so districts take turns.
  let afterDistrict = 0;

  const renewal = setInterval(
    () => {
      renewClaims(db, [...inFlight.keys()], handler.leaseSeconds).catch((err: unknown) => log.warn({ err }, 'could not renew intake claims'));
    },
    (handler.leaseSeconds * 1000) / 3,
  );
  renewal.unref();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  /** Waits, unless the loop stops first; says whether it waited. */
  const pauses = new Set<() => void>();
  function pause(ms: number): Promise<boolean> {
    if (stopped) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const t = setTimeout(() => done(true), ms);
      const interrupt = () => done(false);
      function done(waited: boolean) {
        clearTimeout(t);
        pauses.delete(interrupt);
        resolve(waited && !stopped);
      }
      pauses.add(interrupt);
    });
  }
  const retryLaterMs = opts.retryLaterMs ?? 50;

  async function attempt(event: ClaimedEvent): Promise<void> {
    const d = await handler.decide(event);
    // Redoable: the upload's event and bytes are durable, so an outcome a power cut undoes is simply worked out again.
    const committed = await db.redoableTransaction(async (trx) => {
      if (!(await finishEvent(trx, event.id, d))) return false;
      await d.apply?.(trx);
      return true;
    });
    if (committed) await d.afterCommit?.();
  }

  async function run(event: ClaimedEvent): Promise<void> {
    // Claimed this often yet never finished: its work ended the process (or its decoder) every time.
    // Running it again would only end it again, for every district this node serves.
    if (event.attempts > MAX_ATTEMPTS) {
      log.error({ event: event.id, file: event.file, attempts: event.attempts }, 'intake event abandoned: it never finished');
      await db
        .redoableTransaction((trx) => finishEvent(trx, event.id, { outcome: 'rejected', message: couldNotProcess(event.file) }))
        .catch((e: unknown) => log.error({ err: e, event: event.id }, 'could not record the failure'));
      return;
    }
    for (let later = 0; ; later++) {
      try {
        await attempt(event);
        return;
      } catch (err) {
        if (err instanceof RetryLater && later < RETRY_LATER_TIMES) {
          log.info({ event: event.id, file: event.file, reason: err.message }, 'intake tries again');
          if (await pause(retryLaterMs * 2 ** later)) continue;
          // Stopping: hand the event back as if it had not been claimed, for the next start or another node.
          await db
            .redoableTransaction((trx) =>
              trx.updateTable('intake_events').set((eb) => ({ claimed_until: null, attempts: eb('attempts', '-', 1) })).where('id', '=', event.id).execute(),
            )
            .catch(() => undefined);
          return;
        }
        await failed(event, err);
        return;
      }
    }
  }

  async function failed(event: ClaimedEvent, err: unknown): Promise<void> {
    log.error({ err, event: event.id, file: event.file }, 'intake failed');
    if (event.attempts >= MAX_ATTEMPTS) {
      await db
        .redoableTransaction((trx) =>
          finishEvent(trx, event.id, {
            outcome: 'rejected',
            message: couldNotProcess(event.file),
          }),
        )
        .catch((e: unknown) => log.error({ err: e, event: event.id }, 'could not record the failure'));
    } else {
      // Let the lease run out quickly so it is retried soon, not after a full lease.
      await db
        .redoableTransaction((trx) => trx.updateTable('intake_events').set({ claimed_until: null }).where('id', '=', event.id).execute())
        .catch(() => undefined);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      const limit = opts.edgeBusy?.() ? Math.min(BUSY_CONCURRENCY, handler.concurrency) : handler.concurrency;
      const room = limit - inFlight.size;
      // The edge became busy with more than its share in hand: let those finish before claiming again.
      if (room <= 0 && inFlight.size > 0) {
        await Promise.race(inFlight.values());
        continue;
      }
      let claimed: ClaimedEvent[] = [];
      if (room > 0) {
        poked = false;
        try {
          claimed = await claimEvents(db, {
            folder: handler.folder,
            limit: room,
            leaseSeconds: handler.leaseSeconds,
            settleSeconds: handler.settleSeconds,
            afterDistrict,
          });
          afterDistrict = claimed.at(-1)?.district_id ?? afterDistrict;
        } catch (err) {
          if (!stopped) log.error({ err }, 'could not read the intake queue');
        }
      }
      for (const e of claimed) {
        const p = run(e).finally(() => {
          inFlight.delete(e.id);
          wake?.();
        });
        inFlight.set(e.id, p);
      }
      if (stopped) break;
      // Full claims mean more may be waiting: go again once half the slots are free. Claiming in
      // batches rather than one per finished event keeps the claims' commits few under a backlog.
      if (claimed.length > 0 && claimed.length === room) {
        while (!stopped && inFlight.size > 0 && inFlight.size > limit / 2) await Promise.race(inFlight.values());
        continue;
      }
      // Nothing may be claimed now (a limit of 0): wait for the poll even when poked, or the loop would go
      // round on microtasks alone and starve the process, signals included.
      if (!poked || room <= 0) await sleep(pollMs);
    }
  })();

  return {
    folder: handler.folder,
    poke() {
      poked = true;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      for (const p of [...pauses]) p();
      clearInterval(renewal);
      await loop;
      await Promise.allSettled(inFlight.values());
    },
  };
}

const couldNotProcess = (file: string): string =>
  `Lanyard could not process "${file}" after ${MAX_ATTEMPTS} tries. Check that it is a photo or roster file and upload it again; if it keeps failing, contact support.`;
