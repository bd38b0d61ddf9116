import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { writeAudit, type ChangedBy } from '../audit/audit.js';
import type { BlobStore } from '../blobs/blobStore.js';
import type { Db } from '../db/db.js';
import { toCsv } from '../shared/csv.js';

/**
 * A district's exit, part one: everything it gave Lanyard and everything
 * Lanyard made for it, in one zip a district can open without Lanyard (CSV
 * and JPEG, with a README), as the Student Data Privacy Consortium's
 * agreement asks at contract end. Reads the district's tables directly: this
 * is the one place that takes all of them at once.
 */

export interface ExportCounts {
  people: number;
  photos: number;
  devices: number;
  checkouts: number;
  incidents: number;
  incidentNotes: number;
  auditEntries: number;
}

const README = (slug: string, name: string, at: string, c: ExportCounts) => `Lanyard export of ${name} (${slug}), made ${at} (UTC).

roster.csv          everyone in the roster (${c.people}): Local ID, names, role, school, grade, email, state ID, active
photos/<LocalID>.jpg each person's current photo (${c.photos}), as Lanyard served it (JPEG, no metadata)
devices.csv         devices (${c.devices})
checkouts.csv       every check-out (${c.checkouts}), open ones with no check-in time; one undone at the desk
                    (a mistaken scan, taken back within a minute) has Undone At and By
incidents.csv       incidents (${c.incidents}); incident-notes.csv: their timelines (${c.incidentNotes})
audit-log.csv       who changed what and when (${c.auditEntries} entries); Detail is JSON

Every CSV is UTF-8 with a byte-order mark (Excel shows accents right); cells that a spreadsheet would run as
formulas start with an apostrophe. Times are ISO-8601 UTC.
`;

/** Rows a page at a time, by id, so a district of 500,000 people is never one query's result. */
const PAGE = 5000;

export async function exportDistrict(db: Db, blobs: BlobStore, input: { districtId: number; outFile: string; by: ChangedBy; now?: Date }): Promise<ExportCounts> {
  const k = db.kysely;
  const d = await k.selectFrom('districts').select(['id', 'slug', 'name']).where('id', '=', input.districtId).executeTakeFirstOrThrow();
  const at = (input.now ?? new Date()).toISOString();
  const zip = new yazl.ZipFile();
  const tmp = `${input.outFile}.part`;
  const written = pipeline(zip.outputStream, fs.createWriteStream(tmp, { mode: 0o600 }));

  const people: Array<[string, string, string, string, string | null, string | null, string | null, string | null, string]> = [];
  const photos: Array<{ localId: string; key: string }> = [];
  for (let after = 0; ; ) {
    const page = await k
      .selectFrom('people as p')
      .leftJoin('person_photos as c', 'c.person_id', 'p.id')
      .leftJoin('photo_versions as v', 'v.id', 'c.version_id')
      .select(['p.id', 'p.local_id', 'p.first_name', 'p.last_name', 'p.role', 'p.school', 'p.grade', 'p.email', 'p.state_id', 'p.active', 'v.profile_key'])
      .where('p.district_id', '=', d.id)
      .where('p.id', '>', after)
      .orderBy('p.id')
      .limit(PAGE)
      .execute();
    for (const p of page) {
      people.push([p.local_id, p.first_name, p.last_name, p.role, p.school, p.grade, p.email, p.state_id, p.active ? 'yes' : 'no']);
      if (p.profile_key) photos.push({ localId: p.local_id, key: p.profile_key });
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  const csv = (name: string, header: string[], rows: Iterable<ReadonlyArray<string | number | null>>) => zip.addBuffer(Buffer.from(toCsv(header, rows)), name, { mtime: new Date(at) });
  csv('roster.csv', ['Local ID', 'First Name', 'Last Name', 'Role', 'School', 'Grade', 'Email', 'State ID', 'Active'], people);

  // One photo read at a time, when the zip reaches it: memory stays one photo, however many there are.
  for (const p of photos) {
    zip.addReadStreamLazy(`photos/${p.localId}.jpg`, { compress: false, mtime: new Date(at) }, (cb) => {
      blobs.readAll(p.key).then(
        (bytes) => cb(null, Readable.from([bytes])),
        (err: unknown) => cb(err, Readable.from([])),
      );
    });
  }

  const devices = await k.selectFrom('devices').selectAll().where('district_id', '=', d.id).orderBy('id').execute();
  csv('devices.csv', ['Asset Tag', 'Serial Number', 'Model', 'State', 'Added', 'Updated'], devices.map((v) => [v.asset_tag, v.serial_number, v.model, v.state, v.created_at, v.updated_at]));
  const checkouts = await k
    .selectFrom('checkouts as c')
    .innerJoin('devices as v', 'v.id', 'c.device_id')
    .innerJoin('people as p', 'p.id', 'c.person_id')
    .select(['v.asset_tag', 'p.local_id', 'c.checked_out_at', 'c.checked_out_by', 'c.checked_in_at', 'c.checked_in_by', 'c.undone_at', 'c.undone_by'])
    .where('c.district_id', '=', d.id)
    .orderBy('c.id')
    .execute();
  csv(
    'checkouts.csv',
    ['Asset Tag', 'Local ID', 'Checked Out At', 'Checked Out By', 'Checked In At', 'Checked In By', 'Undone At', 'Undone By'],
    checkouts.map((c) => [c.asset_tag, c.local_id, c.checked_out_at, c.checked_out_by, c.checked_in_at, c.checked_in_by, c.undone_at, c.undone_by]),
  );
  const incidents = await k
    .selectFrom('incidents as i')
    .innerJoin('devices as v', 'v.id', 'i.device_id')
    .innerJoin('people as p', 'p.id', 'i.person_id')
    .select(['i.id', 'v.asset_tag', 'p.local_id', 'i.type', 'i.status', 'i.description', 'i.opened_at', 'i.opened_by', 'i.updated_at'])
    .where('i.district_id', '=', d.id)
    .orderBy('i.id')
    .execute();
  csv(
    'incidents.csv',
    ['Incident', 'Asset Tag', 'Local ID', 'Type', 'Status', 'Description', 'Opened At', 'Opened By', 'Updated At'],
    incidents.map((i) => [i.id, i.asset_tag, i.local_id, i.type, i.status, i.description, i.opened_at, i.opened_by, i.updated_at]),
  );
  const notes = await k
    .selectFrom('incident_notes as n')
    .innerJoin('incidents as i', 'i.id', 'n.incident_id')
    .select(['n.incident_id', 'n.at', 'n.author', 'n.status', 'n.body'])
    .where('i.district_id', '=', d.id)
    .orderBy('n.id')
    .execute();
  csv('incident-notes.csv', ['Incident', 'At', 'Author', 'Status Set', 'Note'], notes.map((n) => [n.incident_id, n.at, n.author, n.status, n.body]));
  const audit = await k.selectFrom('audit_log').select(['at', 'action', 'actor', 'address', 'detail']).where('district_id', '=', d.id).orderBy('id').execute();
  csv('audit-log.csv', ['At', 'Action', 'Actor', 'Address', 'Detail'], audit.map((a) => [a.at, a.action, a.actor, a.address, a.detail]));

  const counts: ExportCounts = {
    people: people.length,
    photos: photos.length,
    devices: devices.length,
    checkouts: checkouts.length,
    incidents: incidents.length,
    incidentNotes: notes.length,
    auditEntries: audit.length,
  };
  zip.addBuffer(Buffer.from(README(d.slug, d.name, at, counts)), 'README.txt', { mtime: new Date(at) });
  zip.end();
  try {
    await written;
    await fs.promises.rename(tmp, input.outFile);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  // Server-wide (no district): the entry must outlive the district if it is deleted next.
  await writeAudit(db.kysely, { action: 'district.exported', districtId: null, actor: input.by.actor, address: input.by.address, detail: { slug: d.slug, file: input.outFile, ...counts } });
  return counts;
}
