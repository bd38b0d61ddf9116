import type { Kysely } from 'kysely';
import type { Db } from '../db/db.js';
import type { Database, IntakeSource } from '../db/schema.js';
import { nowIso } from '../shared/time.js';

/** Who opened a delivery: the district, the edge it came through, and the person or account. */
export interface DeliveryOpener {
  districtId: number;
  source: IntakeSource;
  /** The SFTP username, the staff member's email, or the zip's name for a package. */
  by: string;
  address: string | null;
}

/**
 * One SFTP session's or one browser upload's delivery, made on its first
 * change that records an event: a session that only lists or downloads, or
 * whose uploads all fail, leaves no empty delivery behind.
 */
export interface DeliveryTicket {
  /** The delivery's id, made now if this is its first event. */
  id(): Promise<number>;
  /** The session or upload is over: once its events all have outcomes, the delivery is finished. */
  end(): Promise<void>;
}

export function deliveryTicket(db: Db, opener: DeliveryOpener): DeliveryTicket {
  let made: Promise<number> | undefined;
  let ended = false;
  return {
    id() {
      // Several channels of one session commit at once: they share the one delivery being made.
      // An upload that commits after its session closed (draining) makes a delivery that has ended already.
      made ??= insertDelivery(db.kysely, opener, null, ended ? nowIso() : null).then(
        (id) => {
          if (!ended) openHere.add(id);
          return id;
        },
        (err: unknown) => {
          made = undefined;
          throw err;
        },
      );
      return made;
    },
    async end() {
      if (ended) return;
      ended = true;
      if (!made) return;
      const id = await made.catch(() => undefined);
      if (id === undefined) return;
      try {
        await endDelivery(db.kysely, id);
      } finally {
        openHere.delete(id);
      }
    },
  };
}

/**
 * The deliveries this process holds open: a process is a node, and when it
 * dies they all die with it, which is what their liveness says
 * (deliveries/liveness.ts keeps them alive while the process runs).
 */
const openHere = new Set<number>();

export const openDeliveriesHere = (): number[] => [...openHere];

export async function insertDelivery(k: Kysely<Database>, o: DeliveryOpener, parentId: number | null, endedAt: string | null = null): Promise<number> {
  const row = await k
    .insertInto('deliveries')
    .values({ district_id: o.districtId, source: o.source, by: o.by, address: o.address, parent_id: parentId, started_at: nowIso(), ended_at: endedAt, alive_at: nowIso() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function endDelivery(k: Kysely<Database>, id: number): Promise<void> {
  await k.updateTable('deliveries').set({ ended_at: nowIso() }).where('id', '=', id).where('ended_at', 'is', null).execute();
}
