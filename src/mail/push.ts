import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { getDelivery, type DeliveryReport } from '../deliveries/deliveries.js';
import { nowIso } from '../shared/time.js';
import { GIVE_UP_MS, retryDelaySeconds } from '../webhooks/push.js';

/**
 * E-mails each finished delivery to its district's contacts through the
 * configured SMTP server: an outbox row per delivery (unique, so several nodes
 * noticing it send one message), retried with the webhook's doubling pause
 * until the server takes it or a day has passed. A message being sent is
 * claimed by moving its next attempt ahead, so no other node sends it too.
 * The message names files and Local IDs, never a child's name or photo.
 */

const CLAIM_MS = 120_000;
/** Files listed in the message; the rest are on the delivery's page and in its CSV. */
const PROBLEMS_IN_MAIL = 200;

export interface MailSettings {
  smtpUrl: string;
  from: string;
}

const isoIn = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Outbox rows for deliveries finished since the district's first contact was added (a day back at most). */
export async function queueFinishedDeliveryMail(db: Db): Promise<number> {
  const rows = await db.kysely
    .selectFrom('deliveries as d')
    .select(['d.id', 'd.district_id'])
    .where('d.ended_at', 'is not', null)
    .where('d.ended_at', '>=', isoIn(-GIVE_UP_MS))
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('district_contacts as c').select('c.email').whereRef('c.district_id', '=', 'd.district_id').whereRef('c.created_at', '<=', 'd.started_at')),
    )
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('delivery_emails as m').select('m.id').whereRef('m.delivery_id', '=', 'd.id'))))
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('intake_events as e').select('e.id').whereRef('e.delivery_id', '=', 'd.id').where('e.outcome', '=', 'received'))),
    )
    // A session that only looked, or a package's parent that brought nothing else, is nothing to report.
    .where(({ exists, selectFrom }) => exists(selectFrom('intake_events as e').select('e.id').whereRef('e.delivery_id', '=', 'd.id')))
    .limit(100)
    .execute();
  const now = nowIso();
  for (const r of rows) {
    await db.kysely
      .insertInto('delivery_emails')
      .values({ district_id: r.district_id, delivery_id: r.id, status: 'pending', next_attempt_at: now, created_at: now })
      .onConflict((oc) => oc.column('delivery_id').doNothing())
      .execute();
  }
  return rows.length;
}

/** Sends what is due, each message claimed first. */
export async function sendDueMail(db: Db, log: Logger, transport: Transporter, from: string): Promise<void> {
  const due = await db.kysely
    .selectFrom('delivery_emails as m')
    .innerJoin('districts as d', 'd.id', 'm.district_id')
    .select(['m.id', 'm.district_id', 'm.delivery_id', 'm.attempts', 'm.next_attempt_at', 'm.created_at', 'd.slug', 'd.name'])
    .where('m.status', '=', 'pending')
    .where('m.next_attempt_at', '<=', nowIso())
    .orderBy('m.next_attempt_at')
    .limit(20)
    .execute();
  for (const mail of due) {
    const claimed = await db.kysely
      .updateTable('delivery_emails')
      .set({ next_attempt_at: isoIn(CLAIM_MS) })
      .where('id', '=', mail.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', mail.next_attempt_at)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    const attempts = mail.attempts + 1;
    const result = await send(db, transport, from, mail);
    if (result.ok) {
      await db.kysely.updateTable('delivery_emails').set({ status: 'sent', attempts, last_result: result.text, sent_at: nowIso() }).where('id', '=', mail.id).execute();
      continue;
    }
    const givenUp = Date.now() - Date.parse(mail.created_at) > GIVE_UP_MS;
    log.warn({ district: mail.slug, delivery: mail.delivery_id, attempts, result: result.text }, givenUp ? 'delivery e-mail given up after a day' : 'delivery e-mail failed; will retry');
    await db.kysely
      .updateTable('delivery_emails')
      .set({ status: givenUp ? 'failed' : 'pending', attempts, last_result: result.text, next_attempt_at: isoIn(retryDelaySeconds(attempts) * 1000) })
      .where('id', '=', mail.id)
      .execute();
  }
}

async function send(
  db: Db,
  transport: Transporter,
  from: string,
  mail: { district_id: number; delivery_id: number; slug: string; name: string },
): Promise<{ ok: boolean; text: string }> {
  try {
    const to = (await db.kysely.selectFrom('district_contacts').select('email').where('district_id', '=', mail.district_id).orderBy('email').execute()).map((r) => r.email);
    // Every contact removed since it was queued: nobody left to tell.
    if (to.length === 0) return { ok: true, text: 'no contacts left to send to' };
    const report = await getDelivery(db, mail.district_id, mail.delivery_id);
    const info = await transport.sendMail({ from, to, subject: deliverySubject(mail.name, report), text: deliveryText(mail.name, mail.slug, report) });
    return { ok: true, text: info.response ?? 'accepted' };
  } catch (err) {
    return { ok: false, text: err instanceof Error ? err.message : String(err) };
  }
}

/** "Springfield: delivery 12 finished, 118 linked, 2 unmatched, 1 rejected, 3 flagged". */
export function deliverySubject(districtName: string, r: DeliveryReport): string {
  const c = r.counts;
  const parts = [`${c.linked} linked`, `${c.unmatched} unmatched`, `${c.rejected} rejected`, `${c.flagged} flagged`];
  if (c.imported > 0) parts.push(`${c.imported} roster ${c.imported === 1 ? 'file' : 'files'} imported`);
  return `${districtName}: delivery ${r.id} finished, ${parts.join(', ')}`;
}

export function deliveryText(districtName: string, slug: string, r: DeliveryReport): string {
  const c = r.counts;
  const how = r.source === 'sftp' ? `over SFTP by ${r.by}` : r.source === 'web' ? `in the browser by ${r.by}` : `in the package ${r.by}`;
  const lines = [
    `A delivery to ${districtName} (${slug}) has finished.`,
    '',
    `Delivery ${r.id}, ${how}, ${r.startedAt} to ${r.finishedAt ?? r.endedAt ?? ''} (UTC): ${r.files} ${r.files === 1 ? 'file' : 'files'}.`,
    '',
    `  Linked (shown on their person):                  ${c.linked}`,
    `  Flagged (shown, but a quality check found something): ${c.flagged}`,
    `  Unmatched (kept until a roster brings the person): ${c.unmatched}`,
    `  Rejected (not used):                              ${c.rejected}`,
  ];
  if (c.imported > 0) lines.push(`  Roster files imported:                            ${c.imported}`);
  if (c.removed > 0) lines.push(`  Files deleted:                                    ${c.removed}`);
  if (r.fixed.firstPhotos > 0 || r.fixed.replacedFlagged > 0) {
    lines.push('', `It fixed: ${r.fixed.firstPhotos} first photos, ${r.fixed.replacedFlagged} flagged photos replaced by good ones.`);
  }
  if (r.problems.length > 0) {
    lines.push('', 'Files not simply linked:');
    for (const p of r.problems.slice(0, PROBLEMS_IN_MAIL)) lines.push(`  ${p.file}${p.localId ? ` (Local ID ${p.localId})` : ''}: ${p.outcome}, ${p.reason}`);
    const more = r.problems.length - PROBLEMS_IN_MAIL;
    if (more > 0 || r.moreProblems) lines.push(`  …and more: every file is on the delivery's page and in its CSV (Photos desk, delivery ${r.id}).`);
  }
  lines.push('', `You get this because you are a contact of ${slug} in Lanyard; an administrator changes that with lanyard district contacts.`);
  return `${lines.join('\n')}\n`;
}

/** The e-mail loop of a node: every `everyMs`, queue what finished and send what is due; stop() waits for a round in progress. */
export function startMailPush(opts: { db: Db; log: Logger; mail: MailSettings; everyMs?: number }): { stop(): Promise<void> } {
  const transport = nodemailer.createTransport(opts.mail.smtpUrl);
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = queueFinishedDeliveryMail(opts.db)
      .then(() => sendDueMail(opts.db, opts.log, transport, opts.mail.from))
      .catch((err: unknown) => opts.log.error({ err }, 'delivery e-mails failed'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, opts.everyMs ?? 1000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      transport.close();
    },
  };
}
