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
}

/** A decision that failed unexpectedly is retried this many times before the district is told. */
const MAX_ATTEMPTS = 3;

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
    try {
      const d = await handler.decide(event);
      // Redoable: the upload's event and bytes are durable, so an outcome a power cut undoes is simply worked out again.
      const committed = await db.redoableTransaction(async (trx) => {
        if (!(await finishEvent(trx, event.id, d))) return false;
        await d.apply?.(trx);
        return true;
      });
      if (committed) await d.afterCommit?.();
    } catch (err) {
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
  }

  const loop = (async () => {
    while (!stopped) {
      const room = handler.concurrency - inFlight.size;
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
        while (!stopped && inFlight.size > 0 && inFlight.size > handler.concurrency / 2) await Promise.race(inFlight.values());
        continue;
      }
      if (!poked) await sleep(pollMs);
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
      clearInterval(renewal);
      await loop;
      await Promise.allSettled(inFlight.values());
    },
  };
}

const couldNotProcess = (file: string): string =>
  `Lanyard could not process "${file}" after ${MAX_ATTEMPTS} tries. Check that it is a photo or roster file and upload it again; if it keeps failing, contact support.`;
