import { randomBytes } from 'node:crypto';
import { writeAudit, type ChangedBy } from '../audit/audit.js';
import type { Db } from '../db/db.js';
import type { WebhookPostStatus } from '../db/schema.js';
import { LanyardError } from '../shared/errors.js';
import { nowIso } from '../shared/time.js';

/**
 * A district's webhook: when a delivery is finished, Lanyard POSTs its report
 * as JSON to the district's HTTPS address, signed with the district's secret
 * (push.ts). Setting, replacing and removing it are audited here.
 */

export interface Webhook {
  url: string;
  secret: string;
  createdAt: string;
}

export interface WebhookPost {
  id: number;
  deliveryId: number;
  status: WebhookPostStatus;
  attempts: number;
  nextAttemptAt: string;
  lastResult: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** Only HTTPS: the report names children and the signature alone does not hide it. */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new LanyardError('invalid', `"${raw}" is not a web address: give the full address, e.g. https://sis.example.org/lanyard-hook.`);
  }
  if (url.protocol !== 'https:') throw new LanyardError('invalid', `The webhook must be an https:// address (${url.protocol}// would send the report unencrypted).`);
  if (url.username || url.password) throw new LanyardError('invalid', 'Leave the user name and password out of the address: each push is signed with the secret instead.');
  return url.toString();
}

/** Sets (or replaces) the district's webhook with a new secret, which is returned. */
export async function setWebhook(db: Db, districtId: number, rawUrl: string, by: ChangedBy): Promise<Webhook> {
  const url = checkWebhookUrl(rawUrl);
  const hook = { url, secret: `whsec_${randomBytes(24).toString('base64url')}`, createdAt: nowIso() };
  await db.kysely.transaction().execute(async (trx) => {
    await trx
      .insertInto('webhooks')
      .values({ district_id: districtId, url, secret: hook.secret, created_at: hook.createdAt })
      .onConflict((oc) => oc.column('district_id').doUpdateSet({ url, secret: hook.secret, created_at: hook.createdAt }))
      .execute();
    await writeAudit(trx, { action: 'settings.webhook', districtId, actor: by.actor, address: by.address, detail: { url } });
  });
  return hook;
}

/** Stops the pushes; those not sent yet are dropped. */
export async function removeWebhook(db: Db, districtId: number, by: ChangedBy): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    const res = await trx.deleteFrom('webhooks').where('district_id', '=', districtId).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new LanyardError('not-found', 'This district has no webhook to remove.');
    await trx.updateTable('webhook_posts').set({ status: 'failed', last_result: 'the webhook was removed' }).where('district_id', '=', districtId).where('status', '=', 'pending').execute();
    await writeAudit(trx, { action: 'settings.webhook', districtId, actor: by.actor, address: by.address, detail: { removed: true } });
  });
}

export async function getWebhook(db: Db, districtId: number): Promise<Webhook | undefined> {
  const r = await db.kysely.selectFrom('webhooks').selectAll().where('district_id', '=', districtId).executeTakeFirst();
  return r && { url: r.url, secret: r.secret, createdAt: r.created_at };
}

/** The delivery log on Settings: the latest pushes, newest first. */
export async function webhookLog(db: Db, districtId: number, limit = 20): Promise<WebhookPost[]> {
  const rows = await db.kysely.selectFrom('webhook_posts').selectAll().where('district_id', '=', districtId).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    deliveryId: r.delivery_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastResult: r.last_result,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  }));
}
