import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import type { Database } from '../db/schema.js';
import { nowIso } from '../shared/time.js';

export type AuditAction =
  | 'sftp.login'
  | 'sftp.login-failed'
  | 'sftp.login-refused'
  | 'sftp.session-ended'
  | 'dropbox.upload'
  | 'dropbox.rename'
  | 'dropbox.delete'
  | 'settings.sftp-password'
  | 'settings.sftp-auth'
  | 'settings.ssh-key-added'
  | 'settings.ssh-key-removed'
  | 'settings.api-token-created'
  | 'settings.api-token-revoked'
  | 'settings.roster'
  | 'settings.webhook'
  | 'settings.contacts'
  | 'staff.created'
  | 'staff.invited'
  | 'staff.role'
  | 'staff.removed'
  | 'staff.password-changed'
  | 'staff.password-reset'
  | 'person.erased'
  | 'checkout.undone'
  | 'checkin.undone'
  | 'settings.retention'
  | 'district.exported'
  | 'district.deleted';

export interface AuditEntry {
  action: AuditAction;
  districtId: number | null;
  /** Who: the SFTP username as typed, or a staff email. */
  actor: string;
  address: string | null;
  detail?: Record<string, unknown>;
}

/** Who makes a change, as its audit entry names them: a staff email and address, or the CLI. */
export type ChangedBy = Pick<AuditEntry, 'actor' | 'address'>;

/**
 * Who did what, kept in the database (every node writes to one place). Takes a
 * transaction where there is one, so a file change and its audit entry commit
 * together at the cost of one disk sync, not two.
 */
export async function writeAudit(executor: Kysely<Database>, e: AuditEntry): Promise<void> {
  await executor
    .insertInto('audit_log')
    .values({ district_id: e.districtId, at: nowIso(), action: e.action, actor: e.actor, address: e.address, detail: JSON.stringify(e.detail ?? {}) })
    .execute();
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

/** For entries outside a transaction (logins): to the database and to the log. */
export function createAuditLog(db: Db, log: Logger): AuditLog {
  return {
    async record(e) {
      log.info({ audit: e.action, districtId: e.districtId, actor: e.actor, address: e.address, ...e.detail }, e.action);
      await writeAudit(db.kysely, e);
    },
  };
}

/** A district's audit entries, newest first (Settings, tests, and a district's export). */
export async function listAudit(db: Db, districtId: number, limit = 100) {
  const rows = await db.kysely.selectFrom('audit_log').selectAll().where('district_id', '=', districtId).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ at: r.at, action: r.action, actor: r.actor, address: r.address, detail: JSON.parse(r.detail) as Record<string, unknown> }));
}
