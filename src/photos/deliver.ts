import type { Kysely } from 'kysely';
import type { BlobStore, StoredBlob } from '../blobs/blobStore.js';
import type { Db } from '../db/db.js';
import type { Database } from '../db/schema.js';
import type { Outcome } from '../intake/queue.js';
import { fullName, matchPerson, type Person } from '../people/people.js';
import type { PhotoDecoder } from './decoder.js';
import { personWithSamePicture } from './samePicture.js';
import { setPhoto, type StoredPhoto, type StoredQuality } from './versions.js';
import { decodeWarnings, describeWarnings, encodeWarnings, type PhotoWarning } from './warnings.js';
import { dropWaiting, keepWaiting } from './waiting.js';
import { pinBlobs, releasePins } from '../retention/guards.js';

/**
 * One photo for one Local ID, wherever it came from (a file in idphotos or an
 * image in a photographer's zip): find the person, check and normalise the
 * picture, and say what will happen in the words the district reads. The
 * database changes are in `apply`, run in the transaction that records it.
 */

export interface DeliveryDeps {
  db: Db;
  blobs: BlobStore;
  keepVersions: number;
  decoder: PhotoDecoder;
  /**
   * Photos read and decoded at once: a photo's bytes are read only when it
   * is its turn, so a backlog of large files is never all in memory together.
   */
  decode: <T>(task: () => Promise<T>) => Promise<T>;
}

export interface Delivery {
  districtId: number;
  /** The name it came under: `123456.jpg`, or `package.zip/folder/IMG_1.jpg`. */
  file: string;
  localId: string;
  /** The picture's bytes, read when (and only if) it must be decoded. */
  read: () => Promise<Buffer>;
  /** The uploaded bytes in the blob store. */
  original: StoredPhoto['original'];
  eventId: number | null;
}

export type DeliveryPlan =
  | { kind: 'rejected'; outcome: Outcome }
  | { kind: 'linked'; outcome: Outcome; person: Person; rule: string; photo: StoredPhoto }
  | { kind: 'unmatched'; outcome: Outcome; photo: StoredPhoto };

export async function planDelivery(deps: DeliveryDeps, d: Delivery): Promise<DeliveryPlan> {
  const match = await matchPerson(deps.db, d.districtId, d.localId);
  const person = match.kind === 'matched' ? match.person : undefined;
  const rule = match.kind === 'matched' ? match.rule : 'none';

  // The same bytes as a version this person has: nothing to decode, it is shown (again).
  if (person) {
    const known = await reusedVersion(deps.db, person.id, d.original.sha256);
    if (known) {
      const photo: StoredPhoto = { original: d.original, profileKey: known.profile_key, thumbKey: known.thumb_key, quality: known.quality, pins: known.pins };
      const message = known.current
        ? `This photo is already ${fullName(person)}'s (${person.localId}): nothing changed.`
        : `This is an earlier photo of ${fullName(person)} (${person.localId}): it is shown again.`;
      const warnings = known.quality?.warnings ?? [];
      return { kind: 'linked', person, rule, photo, outcome: { outcome: 'linked', localId: person.localId, ...withWarnings(message, warnings) } };
    }
  }

  const normalised = await deps.decode(async () => deps.decoder.normalise(await d.read()));
  if (!normalised.ok) {
    const unchanged = person ? ` Nothing changed for ${fullName(person)}.` : '';
    return { kind: 'rejected', outcome: { outcome: 'rejected', localId: person?.localId ?? null, message: `${normalised.message}${unchanged}` } };
  }
  // Both sizes pinned in one transaction: the intake's event loop time is mostly its transactions.
  const [profile, thumb] = (await deps.blobs.putBuffers([normalised.sizes.profile, normalised.sizes.thumb])) as [StoredBlob, StoredBlob];
  const found = normalised.quality;
  const same = await personWithSamePicture(deps.db, d.districtId, found, person?.id);
  const warnings: PhotoWarning[] = same ? [...found.warnings, 'same-as-another'] : found.warnings;
  const quality: StoredQuality = { warnings, dhash: found.dhash, colour: found.colour };
  const photo: StoredPhoto = { original: d.original, profileKey: profile.key, thumbKey: thumb.key, quality, pins: [profile, thumb] };
  const sameNote = same ? ` It looks like the photo of ${same.localId}.` : '';

  if (match.kind === 'matched') {
    const p = match.person;
    const loose = match.rule === 'exact' ? '' : ` (matched ignoring letter case and leading zeros: the name says ${d.localId})`;
    const inactive = p.active ? '' : ' They are inactive in the roster.';
    return {
      kind: 'linked',
      person: p,
      rule: match.rule,
      photo,
      outcome: { outcome: 'linked', localId: p.localId, ...withWarnings(`Shown on ${fullName(p)} (${p.localId})${loose}.${inactive}${sameNote}`, warnings) },
    };
  }
  const message =
    match.kind === 'ambiguous'
      ? `${d.localId} could be ${match.candidates.map((c) => `${c.localId} (${fullName(c)})`).join(' or ')}: the photo is kept but shown on nobody. Rename it to the exact Local ID and upload it again.`
      : `Nobody with Local ID ${d.localId} is in the roster yet: the photo is kept and will be shown as soon as a roster import brings them.`;
  return { kind: 'unmatched', photo, outcome: { outcome: 'unmatched', localId: null, ...withWarnings(`${message}${sameNote}`, warnings) } };
}

/** The outcome's sentence with what the checks found, and their codes for the event. */
function withWarnings(message: string, warnings: readonly PhotoWarning[]): { message: string; warnings: string } {
  return { message: warnings.length ? `${message} ${describeWarnings(warnings)}` : message, warnings: encodeWarnings(warnings) };
}

/**
 * A version of this person with these bytes, its sizes pinned for the commit
 * that will point at them again. Read once more after pinning: a retention
 * run may have removed the version (and its sizes) between the first read
 * and the pin; once pinned, a version still there keeps its bytes.
 */
async function reusedVersion(db: Db, personId: number, sha256: string) {
  const first = await knownVersion(db, personId, sha256);
  if (!first) return undefined;
  const keys = [first.profile_key, first.thumb_key];
  const tokens = await pinBlobs(db, keys);
  const pins = keys.map((key, i) => ({ key, pin: tokens[i] }));
  const again = await knownVersion(db, personId, sha256);
  if (!again || again.profile_key !== first.profile_key || again.thumb_key !== first.thumb_key) return undefined;
  return { ...again, pins };
}

async function knownVersion(db: Db, personId: number, sha256: string) {
  const v = await db.kysely
    .selectFrom('photo_versions as v')
    .leftJoin('person_photos as c', 'c.version_id', 'v.id')
    .select(['v.id', 'v.profile_key', 'v.thumb_key', 'v.warnings', 'v.dhash', 'v.colour', 'c.person_id as current'])
    .where('v.person_id', '=', personId)
    .where('v.original_sha256', '=', sha256)
    .executeTakeFirst();
  if (!v) return undefined;
  const quality: StoredQuality | null = v.dhash === null || v.colour === null ? null : { warnings: decodeWarnings(v.warnings), dhash: v.dhash, colour: v.colour };
  return { profile_key: v.profile_key, thumb_key: v.thumb_key, current: v.current !== null, quality };
}

export interface Applied {
  /** Set when the photo was stored to wait for its person. */
  waitingId?: number;
}

/** The plan's database changes; `eventId` is the event that explains them. */
export async function applyDelivery(trx: Kysely<Database>, deps: Pick<DeliveryDeps, 'keepVersions'>, d: Omit<Delivery, 'read'>, plan: DeliveryPlan): Promise<Applied> {
  if (plan.kind === 'rejected') return {};
  await releasePins(trx, [...(plan.photo.pins ?? []), plan.photo.original]);
  if (plan.kind === 'linked') {
    await dropWaiting(trx, d.districtId, d.file);
    await setPhoto(trx, {
      districtId: d.districtId,
      personId: plan.person.id,
      photo: plan.photo,
      file: d.file,
      eventId: d.eventId,
      matchRule: plan.rule,
      keepVersions: deps.keepVersions,
    });
    return {};
  }
  const waitingId = await keepWaiting(trx, { districtId: d.districtId, file: d.file, localId: d.localId, photo: plan.photo, eventId: d.eventId });
  return { waitingId };
}
