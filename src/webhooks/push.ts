import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { getDelivery } from '../deliveries/deliveries.js';
import { nowIso } from '../shared/time.js';

/**
 * Pushes each finished delivery to its district's webhook: an outbox row per
 * delivery (unique, so several nodes noticing it make one), POSTed as JSON
 * with an HMAC-SHA256 signature, retried with a doubling pause (2 s, 4 s, …,
 * at most an hour apart) until the district's server answers 2xx or a day
 * has passed. A post being sent is claimed by moving its next attempt a
 * minute ahead, so another node does not send it at the same time.
 */

export const SIGNATURE_HEADER = 'x-lanyard-signature';
export const TIMESTAMP_HEADER = 'x-lanyard-timestamp';

/** A push not taken within a day of the delivery finishing is given up (the e-mails of src/mail too). */
export const GIVE_UP_MS = 24 * 60 * 60 * 1000;
const CLAIM_MS = 60_000;
const TIMEOUT_MS = 10_000;

/** Seconds before attempt n + 1 after n attempts failed. */
export const retryDelaySeconds = (attempts: number): number => Math.min(2 ** attempts, 3600);

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>` with the district's
 * secret: the receiver recomputes it, compares in constant time, and refuses
 * old timestamps, so a captured push cannot be replayed later.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const isoIn = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Outbox rows for deliveries finished since the district set its webhook (a day back at most). */
export async function queueFinishedDeliveries(db: Db): Promise<number> {
  const since = isoIn(-GIVE_UP_MS);
  const rows = await db.kysely
    .selectFrom('deliveries as d')
    .innerJoin('webhooks as w', 'w.district_id', 'd.district_id')
    .select(['d.id', 'd.district_id'])
    .where('d.ended_at', 'is not', null)
    .where('d.ended_at', '>=', since)
    .whereRef('d.started_at', '>=', 'w.created_at')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('webhook_posts as p').select('p.id').whereRef('p.delivery_id', '=', 'd.id'))))
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('intake_events as e').select('e.id').whereRef('e.delivery_id', '=', 'd.id').where('e.outcome', '=', 'received'))),
    )
    // A delivery that recorded nothing is nothing to report.
    .where(({ exists, selectFrom }) => exists(selectFrom('intake_events as e').select('e.id').whereRef('e.delivery_id', '=', 'd.id')))
    .limit(100)
    .execute();
  const now = nowIso();
  for (const r of rows) {
    await db.kysely
      .insertInto('webhook_posts')
      .values({ district_id: r.district_id, delivery_id: r.id, status: 'pending', next_attempt_at: now, created_at: now })
      .onConflict((oc) => oc.column('delivery_id').doNothing())
      .execute();
  }
  return rows.length;
}

/** Sends what is due; each post is claimed first, so a slow server never gets the same push twice at once. */
export async function sendDuePosts(db: Db, log: Logger): Promise<void> {
  const due = await db.kysely
    .selectFrom('webhook_posts as p')
    .innerJoin('webhooks as w', 'w.district_id', 'p.district_id')
    .innerJoin('districts as d', 'd.id', 'p.district_id')
    .select(['p.id', 'p.district_id', 'p.delivery_id', 'p.attempts', 'p.next_attempt_at', 'p.created_at', 'w.url', 'w.secret', 'd.slug'])
    .where('p.status', '=', 'pending')
    .where('p.next_attempt_at', '<=', nowIso())
    .orderBy('p.next_attempt_at')
    .limit(20)
    .execute();
  for (const post of due) {
    const claimed = await db.kysely
      .updateTable('webhook_posts')
      .set({ next_attempt_at: isoIn(CLAIM_MS) })
      .where('id', '=', post.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', post.next_attempt_at)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    const result = await send(db, post);
    const attempts = post.attempts + 1;
    if (result.ok) {
      await db.kysely.updateTable('webhook_posts').set({ status: 'sent', attempts, last_result: result.text, sent_at: nowIso() }).where('id', '=', post.id).execute();
      continue;
    }
    const givenUp = Date.now() - Date.parse(post.created_at) > GIVE_UP_MS;
    log.warn({ district: post.slug, delivery: post.delivery_id, attempts, result: result.text }, givenUp ? 'webhook push given up after a day' : 'webhook push failed; will retry');
    await db.kysely
      .updateTable('webhook_posts')
      .set({ status: givenUp ? 'failed' : 'pending', attempts, last_result: result.text, next_attempt_at: isoIn(retryDelaySeconds(attempts) * 1000) })
      .where('id', '=', post.id)
      .execute();
  }
}

async function send(
  db: Db,
  post: { district_id: number; delivery_id: number; url: string; secret: string; slug: string },
): Promise<{ ok: boolean; text: string }> {
  try {
    const report = await getDelivery(db, post.district_id, post.delivery_id);
    const body = JSON.stringify({ type: 'delivery.finished', district: post.slug, delivery: report });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signature(post.secret, timestamp, body), 'user-agent': 'Lanyard-Webhook/1' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel();
    return { ok: res.ok, text: `HTTP ${res.status}` };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return { ok: false, text: `${err instanceof Error ? err.message : String(err)}${cause}` };
  }
}

/** The push loop of a node: every `everyMs`, queue what finished and send what is due; stop() waits for a round in progress. */
export function startWebhookPush(opts: { db: Db; log: Logger; everyMs?: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = queueFinishedDeliveries(opts.db)
      .then(() => sendDuePosts(opts.db, opts.log))
      .catch((err: unknown) => opts.log.error({ err }, 'webhook pushes failed'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, opts.everyMs ?? 1000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
