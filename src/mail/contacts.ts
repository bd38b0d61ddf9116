import { writeAudit, type ChangedBy } from '../audit/audit.js';
import type { Db } from '../db/db.js';
import { LanyardError } from '../shared/errors.js';
import { nowIso } from '../shared/time.js';

/**
 * A district's contacts: the people told by e-mail when a delivery is
 * finished (push.ts). Adding and removing one is audited here, so the CLI and
 * any page make the same entry.
 */

/** A district's own staff address, not a list of them: one mailbox per contact, kept as typed but compared in lower case. */
export function checkContactEmail(raw: string): string {
  const email = raw.trim();
  if (!/^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/.test(email)) {
    throw new LanyardError('invalid', `"${raw}" is not an e-mail address: give one address, like it-office@springfield.k12.us.`);
  }
  return email;
}

export async function listContacts(db: Db, districtId: number): Promise<string[]> {
  const rows = await db.kysely.selectFrom('district_contacts').select('email').where('district_id', '=', districtId).orderBy('email').execute();
  return rows.map((r) => r.email);
}

export async function addContact(db: Db, districtId: number, raw: string, by: ChangedBy): Promise<void> {
  const email = checkContactEmail(raw);
  const known = (await listContacts(db, districtId)).some((e) => e.toLowerCase() === email.toLowerCase());
  if (known) throw new LanyardError('conflict', `${email} already hears of this district's deliveries.`);
  await db.kysely.transaction().execute(async (trx) => {
    await trx.insertInto('district_contacts').values({ district_id: districtId, email, created_at: nowIso() }).onConflict((oc) => oc.doNothing()).execute();
    await writeAudit(trx, { action: 'settings.contacts', districtId, actor: by.actor, address: by.address, detail: { added: email } });
  });
}

export async function removeContact(db: Db, districtId: number, raw: string, by: ChangedBy): Promise<void> {
  const wanted = raw.trim().toLowerCase();
  const email = (await listContacts(db, districtId)).find((e) => e.toLowerCase() === wanted);
  if (!email) throw new LanyardError('not-found', `${raw.trim()} is not one of this district's contacts, so there is nothing to remove.`);
  await db.kysely.transaction().execute(async (trx) => {
    await trx.deleteFrom('district_contacts').where('district_id', '=', districtId).where('email', '=', email).execute();
    await writeAudit(trx, { action: 'settings.contacts', districtId, actor: by.actor, address: by.address, detail: { removed: email } });
  });
}
