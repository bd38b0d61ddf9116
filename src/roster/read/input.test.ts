import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildZip, type ZipEntrySpec } from '../../../test/photos/zipBuilder.js';
import type { BlobReader } from '../../blobs/blobStore.js';
import { DEFAULT_PARSE_OPTIONS, parseRoster } from '../formats/parse.js';
import { isRosterRejection, type RosterRejection } from '../rows.js';
import { bufferSource, openRosterZip, ROSTER_ZIP_LIMITS, type RosterInput } from './input.js';

/*
 * A OneRoster zip is held to the limits a photographer's package is: how
 * many files, how much it unpacks to, and how much one file may expand.
 */

const reader = (data: Buffer): BlobReader => ({ size: data.length, read: async (at, length) => data.subarray(at, at + length), close: () => Promise.resolve() });

const zipInput = (data: Buffer): RosterInput => ({ name: 'oneroster.zip', source: bufferSource(data), randomAccess: async () => reader(data), sibling: async () => undefined });

async function refusal(p: Promise<unknown>): Promise<RosterRejection> {
  try {
    await p;
  } catch (err) {
    if (isRosterRejection(err)) return err;
    throw err;
  }
  assert.fail('the zip was accepted');
}

const MANIFEST = 'propertyName,value\noneroster.version,1.1\nfile.users,bulk\n';
const ORGS = 'sourcedId,name,type,identifier\no1,Lincoln,school,101\n';
const USERS = 'sourcedId,status,enabledUser,givenName,familyName,identifier,role,orgSourcedIds\nu1,active,true,Ann,Lee,1001,student,o1\n';
const oneRoster = (more: ZipEntrySpec[] = []) => buildZip([{ name: 'manifest.csv', data: MANIFEST }, { name: 'orgs.csv', data: ORGS }, { name: 'users.csv', data: USERS }, ...more]);

describe('OneRoster zips are held to the limits photo packages are', () => {
  test('a zip within them is read', async () => {
    const p = await parseRoster(zipInput(oneRoster()), DEFAULT_PARSE_OPTIONS);
    assert.deepEqual(p.rows.map((r) => [r.localId, r.school]), [['1001', '101']]);
  });

  test('more files than a OneRoster export ever holds: refused before anything is unpacked', async () => {
    const many = Array.from({ length: ROSTER_ZIP_LIMITS.maxEntries }, (_, i) => ({ name: `extra/${i}.csv`, data: 'a' }));
    const r = await refusal(parseRoster(zipInput(oneRoster(many)), DEFAULT_PARSE_OPTIONS));
    assert.equal(r.message, 'This .zip holds 1,003 files; a OneRoster zip holds a few CSV files, and Lanyard opens none with more than 1,000. Zip only the OneRoster CSV files and upload the new zip.');
  });

  test('a file that would expand a thousandfold (a zip bomb) is refused, naming it', async () => {
    const bomb = { name: 'export/enrollments.csv', data: Buffer.alloc(4 * 1024 ** 2, 'a') };
    const r = await refusal(parseRoster(zipInput(oneRoster([bomb])), DEFAULT_PARSE_OPTIONS));
    assert.match(r.message, /^export\/enrollments\.csv in this \.zip would unpack from [\d.]+ KB to 4 MB, far more than any CSV file does, so the zip was not unpacked\. Zip the OneRoster CSV files again and upload the new zip\.$/);
  });

  test('more unpacked bytes than the limit, however honest each file: refused, saying which files to keep', async () => {
    const big = Buffer.alloc(3 * 1024 ** 2);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251; // barely compresses
    const zip = oneRoster([{ name: 'classes.csv', data: big, store: true }]);
    const r = await refusal(openRosterZip(reader(zip), { ...ROSTER_ZIP_LIMITS, maxTotalBytes: 2 * 1024 ** 2 }));
    assert.match(r.message, /^This \.zip unpacks to 3(\.0)? MB, more than the 2 MB Lanyard reads from one zip\. Zip only the files Lanyard reads \(manifest\.csv, orgs\.csv, users\.csv and, for OneRoster 1\.2, roles\.csv\) and upload the new zip\.$/);
  });

  test('an entry that holds more than its header claims fails as a refusal of the file, not a crash', async () => {
    const lying = buildZip([{ name: 'manifest.csv', data: MANIFEST }, { name: 'orgs.csv', data: ORGS }, { name: 'users.csv', data: USERS, claimedSize: 20 }]);
    const r = await refusal(parseRoster(zipInput(lying), DEFAULT_PARSE_OPTIONS));
    assert.equal(r.message, 'users.csv: it is in this .zip but cannot be unpacked: the zip is damaged or incomplete. Zip the OneRoster CSV files again and upload the new zip.');
  });

  test('something that is not a zip at all', async () => {
    const r = await refusal(parseRoster(zipInput(Buffer.from('Local ID,First Name\n')), DEFAULT_PARSE_OPTIONS));
    assert.match(r.message, /^This \.zip cannot be opened: it is damaged or incomplete, or not a zip at all\./);
  });
});
