import type { BlobStore } from '../blobs/blobStore.js';
import type { Db } from '../db/db.js';
import type { ClaimedEvent } from '../intake/queue.js';
import type { Decision, IntakeHandler } from '../intake/worker.js';
import { fullName, matchPerson } from '../people/people.js';
import { applyDelivery, planDelivery, type DeliveryDeps } from './deliver.js';
import { classifyPhotoName } from './fileName.js';
import { createLimiter } from './limiter.js';
import { inProcessDecoder, type PhotoDecoder } from './decoder.js';
import { recommendedPhotoParallelism } from './normalise.js';
import { decidePackage } from './packageIntake.js';
import { DEFAULT_PACKAGE_LIMITS, type PackageLimits } from './packages/readPackage.js';
import { currentVersion, DEFAULT_KEEP_VERSIONS, removeCurrent } from './versions.js';
import { dropWaiting, linkWaitingPhoto } from './waiting.js';

/**
 * The idphotos intake: each event (an upload or a delete of one file) becomes
 * an outcome the district reads (linked, unmatched, rejected, removed, ignored,
 * or unpacked for a zip, whose images get outcomes of their own) and the
 * person's photo changes in the same transaction. Ordering per file and
 * exactly-once come from the queue; this only decides.
 */

export interface PhotoIntakeOptions {
  db: Db;
  blobs: BlobStore;
  /** Versions a person keeps for revert (the current one included). */
  keepVersions?: number;
  packageLimits?: PackageLimits;
  /** Events worked on at once; decoding itself is limited separately. */
  concurrency?: number;
  /** Where photos are decoded (the server's child processes); this process's thread pool when not given. */
  decoder?: PhotoDecoder;
  /** A single photo larger than this is refused unread (packages are read in place, within their own limits). */
  maxPhotoBytes?: number;
}

/**
 * The largest single photo: a 61-megapixel camera's finest JPEG is about 30 MB,
 * and a school portrait is well under 1 MB. Anything larger is not a photo to
 * decode, and reading it whole would cost memory every district shares.
 */
export const DEFAULT_MAX_PHOTO_BYTES = 50 * 1024 * 1024;

export function photoIntakeHandler(opts: PhotoIntakeOptions): IntakeHandler {
  const parallel = recommendedPhotoParallelism();
  const deps: DeliveryDeps = {
    db: opts.db,
    blobs: opts.blobs,
    keepVersions: opts.keepVersions ?? DEFAULT_KEEP_VERSIONS,
    decoder: opts.decoder ?? inProcessDecoder(parallel),
    decode: createLimiter(parallel),
  };
  const limits = opts.packageLimits ?? DEFAULT_PACKAGE_LIMITS;
  const maxPhotoBytes = opts.maxPhotoBytes ?? DEFAULT_MAX_PHOTO_BYTES;
  return {
    folder: 'idphotos',
    // Enough events in flight that reading, storing and committing overlap the decoding.
    concurrency: opts.concurrency ?? parallel * 3,
    settleSeconds: 0,
    // Short, and renewed while work runs: after a crash, the dead process's photos are taken up again within seconds.
    leaseSeconds: 15,
    decide: (event) => decidePhotoEvent(deps, limits, maxPhotoBytes, event),
  };
}

async function decidePhotoEvent(deps: DeliveryDeps, limits: PackageLimits, maxPhotoBytes: number, event: ClaimedEvent): Promise<Decision> {
  const name = classifyPhotoName(event.file);
  if (event.action === 'delete') return decideDelete(deps, event);
  if (name.kind === 'ignore') {
    return { outcome: 'ignored', message: `"${event.file}" is a file that ${name.why === 'system-file' ? 'the operating system adds on its own' : 'an SFTP client uses while uploading'}; it is not a photo and was left alone.` };
  }
  if (name.kind === 'rejected') return { outcome: 'rejected', message: name.message };
  if (event.blob_key === null || event.sha256 === null || event.size === null) {
    return { outcome: 'rejected', message: `"${event.file}" arrived without its contents: upload it again.` };
  }
  const original = { key: event.blob_key, sha256: event.sha256, size: event.size };
  if (name.kind === 'package') return decidePackage(deps, limits, event, original);
  if (event.size > maxPhotoBytes) {
    return {
      outcome: 'rejected',
      localId: null,
      message: `"${event.file}" is ${megabytes(event.size)} MB; a photo may be at most ${megabytes(maxPhotoBytes)} MB. Export it smaller (600 × 800 pixels is ideal) and upload it again.`,
    };
  }

  const delivery = {
    districtId: event.district_id,
    file: event.file,
    localId: name.localId,
    read: () => deps.blobs.readAll(original.key),
    original,
    eventId: event.id,
  };
  const plan = await planDelivery(deps, delivery);
  let waitingId: number | undefined;
  return {
    ...plan.outcome,
    apply: async (trx) => {
      waitingId = (await applyDelivery(trx, deps, delivery, plan)).waitingId;
    },
    // Its person may have arrived while it was decoded: a roster import that finished meanwhile did not see it yet.
    afterCommit: async () => {
      if (waitingId !== undefined) await linkWaitingPhoto(deps.db, waitingId, { keepVersions: deps.keepVersions });
    },
  };
}

/**
 * A deleted file takes its photo off the person when it is the photo they
 * show; their earlier versions stay, so an admin can restore one. A photo that
 * was waiting for its person is forgotten.
 */
async function decideDelete(deps: DeliveryDeps, event: ClaimedEvent): Promise<Decision> {
  const name = classifyPhotoName(event.file);
  const districtId = event.district_id;
  if (name.kind === 'package') {
    return { outcome: 'removed', message: `"${event.file}" was deleted; the photos it brought stay on their people.` };
  }
  if (name.kind !== 'photo') return { outcome: 'removed', message: `"${event.file}" was deleted.` };
  const match = await matchPerson(deps.db, districtId, name.localId);
  const person = match.kind === 'matched' ? match.person : undefined;
  const current = person ? await currentVersion(deps.db.kysely, person.id) : undefined;
  const shown = current?.file === event.file;
  const message = person
    ? shown
      ? `"${event.file}" was deleted: ${fullName(person)} (${person.localId}) shows no photo now. Earlier photos are kept and can be restored.`
      : `"${event.file}" was deleted; ${fullName(person)}'s photo comes from ${current ? `"${current.file}"` : 'no file'} and did not change.`
    : `"${event.file}" was deleted; it was not shown on anybody.`;
  return {
    outcome: 'removed',
    localId: person?.localId ?? null,
    message,
    apply: async (trx) => {
      await dropWaiting(trx, districtId, event.file);
      if (!person) return;
      const now = await currentVersion(trx, person.id);
      if (now?.file === event.file) await removeCurrent(trx, person.id);
    },
  };
}

const megabytes = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0);
