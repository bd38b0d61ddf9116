import type { BlobReader, BlobStore, BlobWriter } from '../blobs/blobStore.js';
import { writeAudit } from '../audit/audit.js';
import type { Db } from '../db/db.js';
import type { DeliveryTicket } from '../deliveries/ticket.js';
import type { DropboxFileRow, DropboxFolder, IntakeSource } from '../db/schema.js';
import { insertEvent } from '../intake/events.js';
import { bytesLeft, DEFAULT_QUOTA, filesLeft, quotaFull, readSpace, type DistrictSpace, type QuotaDefaults } from '../quota/quota.js';
import { formatBytes } from '../shared/bytes.js';
import { LanyardError } from '../shared/errors.js';
import { checkName, fileName, isClientTempName } from './paths.js';
import { releasePins } from '../retention/guards.js';

export type { DropboxFolder };

/** Who is changing the drop box, for the audit log and the intake event. */
export interface Actor {
  districtId: number;
  source: IntakeSource;
  /** The SFTP username or staff email. */
  name: string;
  address: string | null;
  /** The delivery this session or upload makes; none for changes that are not a delivery (an admin's rename). */
  delivery?: DeliveryTicket | undefined;
}

/** The actor's delivery id when the change makes an event at all (a client's temporary names make none). */
async function deliveryIdFor(actor: Actor, ...names: string[]): Promise<number | null> {
  if (!actor.delivery || names.every(isClientTempName)) return null;
  return actor.delivery.id();
}

export interface DropboxFile {
  folder: DropboxFolder;
  name: string;
  size: number;
  sha256: string;
  blobKey: string;
  modifiedAt: string;
}

/** What an upload may do with a file of the same name (an SFTP OPEN's flags). */
export interface UploadOptions {
  /** Continue the file there now (resume, append, open without truncate) rather than start empty. */
  keepExisting?: boolean;
  /** Refuse if the file exists (O_EXCL). */
  exclusive?: boolean;
  /** Refuse if it does not (an OPEN without O_CREAT); by default a new file is made. */
  existingOnly?: boolean;
}

export interface Dropbox {
  list(districtId: number, folder: DropboxFolder, page: { after?: string | undefined; limit: number }): Promise<DropboxFile[]>;
  find(districtId: number, folder: DropboxFolder, name: string): Promise<DropboxFile | undefined>;
  count(districtId: number, folder: DropboxFolder): Promise<number>;
  /** Starts an upload that nobody sees until commit(). */
  beginUpload(actor: Actor, folder: DropboxFolder, name: string, opts?: UploadOptions): Promise<Upload>;
  openDownload(districtId: number, folder: DropboxFolder, name: string): Promise<BlobReader>;
  rename(actor: Actor, from: { folder: DropboxFolder; name: string }, to: { folder: DropboxFolder; name: string }): Promise<void>;
  remove(actor: Actor, folder: DropboxFolder, name: string): Promise<void>;
  setModifiedTime(districtId: number, folder: DropboxFolder, name: string, at: Date): Promise<void>;
  /** The district's quota and what its drop box holds (statvfs, Settings). */
  space(districtId: number): Promise<DistrictSpace>;
}

export interface Upload {
  readonly folder: DropboxFolder;
  readonly name: string;
  /** The file's size so far: for an upload that continues a file, at least that file's size. */
  readonly size: number;
  /** May start at most the write gap past `size`: a file is written from the start onwards, not conjured out of holes. */
  write(data: Buffer, offset: number): Promise<void>;
  /** Keep the client's time for the file (FileZilla and WinSCP preserve timestamps). */
  setModifiedTime(at: Date): void;
  /** Makes what was written so far durable (`fsync@openssh.com`); the file is still published only at commit. */
  flush(): Promise<void>;
  /** Makes the file visible and records its intake event, durably, before resolving. */
  commit(): Promise<DropboxFile>;
  abort(): Promise<void>;
}

export interface DropboxOptions {
  db: Db;
  blobs: BlobStore;
  maxUploadBytes: number;
  /** How far past the current end of an upload a write may start (default 1 MiB). */
  maxWriteGapBytes?: number;
  /** The quota of a district without its own (default: DEFAULT_QUOTA). */
  quota?: QuotaDefaults;
  /** Called after a committed change made intake events, so workers can start at once. */
  onEvents?: (districtId: number, eventIds: number[]) => void;
}

const toFile = (r: DropboxFileRow): DropboxFile => ({
  folder: r.folder,
  name: r.name,
  size: r.size,
  sha256: r.sha256,
  blobKey: r.blob_key,
  modifiedAt: r.modified_at,
});

/**
 * A district's two folders as a tiny file system. SFTP and browser uploads both
 * come through here, so there is one set of rules for names, sizes and folders,
 * and every change is committed together with its intake event and audit entry.
 */
export function createDropbox(opts: DropboxOptions): Dropbox {
  const { db, blobs } = opts;
  const notify = (districtId: number, ids: number[]) => {
    if (ids.length > 0) opts.onEvents?.(districtId, ids);
  };
  const limits = { maxBytes: opts.maxUploadBytes, maxGap: opts.maxWriteGapBytes ?? 1024 * 1024 };
  const quota = opts.quota ?? DEFAULT_QUOTA;

  // One copy of an old file's bytes at a time per district (see DropboxUpload.fill): a district resuming many
  // files at once takes its turn on the disk instead of taking the disk from everyone.
  const copies = new Map<number, Promise<void>>();
  const oneCopyAtATime = (districtId: number, copy: () => Promise<void>): Promise<void> => {
    const run = (copies.get(districtId) ?? Promise.resolve()).then(copy);
    const settled = run.catch(() => undefined);
    copies.set(districtId, settled);
    void settled.then(() => {
      if (copies.get(districtId) === settled) copies.delete(districtId);
    });
    return run;
  };

  async function find(districtId: number, folder: DropboxFolder, rawName: string) {
    const name = fileName(rawName);
    const row = await db.kysely
      .selectFrom('dropbox_files')
      .selectAll()
      .where('district_id', '=', districtId)
      .where('folder', '=', folder)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toFile(row);
  }

  async function mustFind(districtId: number, folder: DropboxFolder, name: string) {
    const f = await find(districtId, folder, name);
    if (!f) throw new LanyardError('not-found', `There is no file "${name}" in ${folder}.`);
    return f;
  }

  return {
    find,

    async list(districtId, folder, page) {
      let q = db.kysely.selectFrom('dropbox_files').selectAll().where('district_id', '=', districtId).where('folder', '=', folder);
      if (page.after !== undefined) q = q.where('name', '>', page.after);
      const rows = await q.orderBy('name').limit(page.limit).execute();
      return rows.map(toFile);
    },

    async count(districtId, folder) {
      const r = await db.kysely
        .selectFrom('dropbox_files')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('district_id', '=', districtId)
        .where('folder', '=', folder)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    space: (districtId) => readSpace(db.kysely, districtId, quota),

    async beginUpload(actor, folder, rawName, uploadOpts) {
      const name = fileName(rawName);
      checkName(name);
      const [existing, space] = await Promise.all([find(actor.districtId, folder, name), readSpace(db.kysely, actor.districtId, quota)]);
      if (existing && uploadOpts?.exclusive) throw new LanyardError('conflict', `${name} already exists in ${folder}.`);
      if (!existing && uploadOpts?.existingOnly) throw new LanyardError('not-found', `There is no file "${name}" in ${folder}.`);
      // Refused here, at OPEN, when nothing could fit: the client shows the reason before sending a byte.
      if (!existing && filesLeft(space) === 0) throw quotaFull(space, name, 'files');
      // What this upload may grow to: what is left, plus the bytes of the file it replaces.
      const room = bytesLeft(space) + (existing?.size ?? 0);
      if (room === 0) throw quotaFull(space, name, 'bytes');
      // Resuming (append, or open without truncate) continues what is there now, whose bytes are copied in
      // only when a write needs them: never just for opening, which anyone could repeat for free.
      const base = uploadOpts?.keepExisting ? existing : undefined;
      const writer = await blobs.createWriter();
      const copyBase = (base: DropboxFile, from: number, to: number) =>
        oneCopyAtATime(actor.districtId, () => copyInto(blobs, base.blobKey, writer, from, to));
      return new DropboxUpload(db, writer, actor, folder, name, { ...limits, room, space, quota }, notify, base, copyBase);
    },

    async openDownload(districtId, folder, name) {
      const f = await mustFind(districtId, folder, name);
      return blobs.openReader(f.blobKey);
    },

    async rename(actor, rawFrom, rawTo) {
      const from = { folder: rawFrom.folder, name: fileName(rawFrom.name) };
      const to = { folder: rawTo.folder, name: fileName(rawTo.name) };
      checkName(to.name);
      if (from.folder === to.folder && from.name === to.name) {
        await mustFind(actor.districtId, from.folder, from.name);
        return;
      }
      const deliveryId = await deliveryIdFor(actor, from.name, to.name);
      const ids = await db.durableTransaction(async (trx) => {
        const src = await trx
          .selectFrom('dropbox_files')
          .selectAll()
          .where('district_id', '=', actor.districtId)
          .where('folder', '=', from.folder)
          .where('name', '=', from.name)
          .executeTakeFirst();
        if (!src) throw new LanyardError('not-found', `There is no file "${from.name}" in ${from.folder} to rename.`);
        await trx
          .deleteFrom('dropbox_files')
          .where('district_id', '=', actor.districtId)
          .where('folder', '=', from.folder)
          .where('name', '=', from.name)
          .execute();
        // Over an existing name, like posix-rename: WinSCP's `.filepart` finish depends on it.
        await upsertFile(trx, actor.districtId, to.folder, to.name, { ...toFile(src), modifiedAt: src.modified_at });
        const ids: number[] = [];
        if (!isClientTempName(from.name)) {
          ids.push(await insertEvent(trx, { districtId: actor.districtId, source: actor.source, folder: from.folder, file: from.name, action: 'delete', deliveryId }));
        }
        if (!isClientTempName(to.name)) {
          ids.push(
            await insertEvent(trx, {
              districtId: actor.districtId,
              source: actor.source,
              folder: to.folder,
              file: to.name,
              action: 'upload',
              blob: { key: src.blob_key, sha256: src.sha256, size: src.size },
              deliveryId,
            }),
          );
        }
        await writeAudit(trx, {
          action: 'dropbox.rename',
          districtId: actor.districtId,
          actor: actor.name,
          address: actor.address,
          detail: { from: `${from.folder}/${from.name}`, to: `${to.folder}/${to.name}`, source: actor.source },
        });
        return ids;
      });
      notify(actor.districtId, ids);
    },

    async remove(actor, folder, rawName) {
      const name = fileName(rawName);
      const deliveryId = await deliveryIdFor(actor, name);
      const ids = await db.durableTransaction(async (trx) => {
        const res = await trx
          .deleteFrom('dropbox_files')
          .where('district_id', '=', actor.districtId)
          .where('folder', '=', folder)
          .where('name', '=', name)
          .executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw new LanyardError('not-found', `There is no file "${name}" in ${folder} to delete.`);
        await writeAudit(trx, { action: 'dropbox.delete', districtId: actor.districtId, actor: actor.name, address: actor.address, detail: { file: `${folder}/${name}`, source: actor.source } });
        if (isClientTempName(name)) return [];
        return [await insertEvent(trx, { districtId: actor.districtId, source: actor.source, folder, file: name, action: 'delete', deliveryId })];
      });
      notify(actor.districtId, ids);
    },

    async setModifiedTime(districtId, folder, rawName, at) {
      const name = fileName(rawName);
      await mustFind(districtId, folder, name);
      await db.kysely
        .updateTable('dropbox_files')
        .set({ modified_at: at.toISOString() })
        .where('district_id', '=', districtId)
        .where('folder', '=', folder)
        .where('name', '=', name)
        .execute();
    },
  };
}

type FileValues = Pick<DropboxFile, 'blobKey' | 'sha256' | 'size' | 'modifiedAt'>;

async function upsertFile(trx: Db['kysely'], districtId: number, folder: DropboxFolder, name: string, v: FileValues) {
  await trx
    .insertInto('dropbox_files')
    .values({ district_id: districtId, folder, name, blob_key: v.blobKey, sha256: v.sha256, size: v.size, modified_at: v.modifiedAt })
    .onConflict((oc) =>
      oc.columns(['district_id', 'folder', 'name']).doUpdateSet({ blob_key: v.blobKey, sha256: v.sha256, size: v.size, modified_at: v.modifiedAt }),
    )
    .execute();
}

/** Copies bytes [from, to) of a stored blob into a writer, at the same place. */
async function copyInto(blobs: BlobStore, key: string, writer: BlobWriter, from: number, to: number) {
  const reader = await blobs.openReader(key);
  try {
    for (let pos = from; pos < Math.min(to, reader.size); ) {
      const buf = await reader.read(pos, Math.min(1024 * 1024, to - pos));
      if (buf.length === 0) break;
      await writer.write(buf, pos);
      pos += buf.length;
    }
  } finally {
    await reader.close();
  }
}

/**
 * An upload on its way into the drop box. One that continues an existing file
 * (`base`: opened without truncating, as a resume does) starts as that file,
 * without a byte copied: bytes of the old file are copied in only where the
 * new one needs them, that is below where the client writes (a resume's first
 * write at the old end copies the old file once; a client rewriting from byte
 * 0 copies nothing, or only the old tail it stops short of). One that is
 * closed unwritten leaves the file as it was.
 */
class DropboxUpload implements Upload {
  private modifiedAt: Date | undefined;
  private done = false;
  private wrote = false;
  /** The end of the furthest write accepted so far (some may still wait behind a copy). */
  private end = 0;
  /** Writes waiting behind a copy of the old file's bytes, in order; undefined when none is under way. */
  private pending: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly writer: BlobWriter,
    private readonly actor: Actor,
    readonly folder: DropboxFolder,
    readonly name: string,
    /** `room`: the most this upload may hold within the quota, as of `space` (read at OPEN); commit checks again exactly. */
    private readonly limits: { maxBytes: number; maxGap: number; room: number; space: DistrictSpace; quota: QuotaDefaults },
    private readonly notify: (districtId: number, ids: number[]) => void,
    private readonly base: DropboxFile | undefined,
    private readonly copyBase: (base: DropboxFile, from: number, to: number) => Promise<void>,
  ) {}

  get size() {
    return Math.max(this.end, this.writer.size, this.base?.size ?? 0);
  }

  write(data: Buffer, offset: number): Promise<void> {
    if (offset + data.length > this.limits.maxBytes) {
      return Promise.reject(
        new LanyardError('too-large', `${this.name} is larger than the ${formatBytes(this.limits.maxBytes)} limit: split it into smaller files (for a photo package, several zips).`),
      );
    }
    if (offset + data.length > this.limits.room) {
      return Promise.reject(quotaFull(this.limits.space, this.name, 'bytes'));
    }
    if (offset > this.size + this.limits.maxGap) {
      return Promise.reject(
        new LanyardError(
          'invalid',
          `${this.name} must be written from its start onwards: this write begins ${formatBytes(offset - this.size)} past what has arrived so far (at most ${formatBytes(this.limits.maxGap)} may be skipped). Upload the whole file again.`,
        ),
      );
    }
    this.wrote = true;
    this.end = Math.max(this.end, offset + data.length);
    const needsOldBytes = this.base !== undefined && offset > this.writer.size && this.writer.size < this.base.size;
    if (!this.pending && !needsOldBytes) return this.writer.write(data, offset);
    // Behind a copy: keep our own copy of the data (the protocol layer reuses its buffers) and keep the order.
    const mine = Buffer.from(data);
    const after = this.pending ?? Promise.resolve();
    const run = after.then(async () => {
      if (this.base && offset > this.writer.size && this.writer.size < this.base.size) {
        await this.copyBase(this.base, this.writer.size, Math.min(offset, this.base.size));
      }
      await this.writer.write(mine, offset);
    });
    const settled = run.catch(() => undefined);
    this.pending = settled;
    void settled.then(() => {
      if (this.pending === settled) this.pending = undefined;
    });
    return run;
  }

  setModifiedTime(at: Date) {
    this.modifiedAt = at;
  }

  async flush(): Promise<void> {
    await this.pending;
    await this.writer.flush();
  }

  async commit(): Promise<DropboxFile> {
    if (this.base && !this.wrote) return this.keepUnchanged(this.base);
    this.done = true;
    await this.pending;
    // The old file's tail that the client did not write over stays, as in any file system.
    if (this.base && this.writer.size < this.base.size) {
      await this.copyBase(this.base, this.writer.size, this.base.size).catch(async (err: unknown) => {
        await this.writer.abort();
        throw err;
      });
    }
    const blob = await this.writer.commit();
    const file: DropboxFile = {
      folder: this.folder,
      name: this.name,
      size: blob.size,
      sha256: blob.sha256,
      blobKey: blob.key,
      modifiedAt: (this.modifiedAt ?? new Date()).toISOString(),
    };
    const a = this.actor;
    const deliveryId = await deliveryIdFor(a, this.name);
    const ids = await this.db.durableTransaction(async (trx) => {
      const old = await trx
        .selectFrom('dropbox_files')
        .select('size')
        .where('district_id', '=', a.districtId)
        .where('folder', '=', this.folder)
        .where('name', '=', this.name)
        .executeTakeFirst();
      await upsertFile(trx, a.districtId, this.folder, this.name, file);
      // Counted by the usage triggers in this transaction, after every commit before it (other uploads, other nodes).
      const space = await readSpace(trx, a.districtId, this.limits.quota);
      if (!old && space.usedFiles > space.quotaFiles) throw quotaFull({ ...space, usedFiles: space.usedFiles - 1 }, this.name, 'files');
      const grew = blob.size - Number(old?.size ?? 0);
      if (grew > 0 && space.usedBytes > space.quotaBytes) throw quotaFull({ ...space, usedBytes: space.usedBytes - grew }, this.name, 'bytes');
      await releasePins(trx, [blob]);
      await writeAudit(trx, {
        action: 'dropbox.upload',
        districtId: a.districtId,
        actor: a.name,
        address: a.address,
        detail: { file: `${this.folder}/${this.name}`, size: blob.size, sha256: blob.sha256, source: a.source },
      });
      if (isClientTempName(this.name)) return [];
      return [await insertEvent(trx, { districtId: a.districtId, source: a.source, folder: this.folder, file: this.name, action: 'upload', blob, deliveryId })];
    });
    this.notify(a.districtId, ids);
    return file;
  }

  /**
   * Opened and closed without a write (a client checking a resume that had
   * nothing left to send): the file stays as it is, no new version, no
   * intake event. Only a time the client set is kept, if the name still
   * holds the same bytes.
   */
  private async keepUnchanged(base: DropboxFile): Promise<DropboxFile> {
    await this.abort();
    if (!this.modifiedAt) return base;
    const modifiedAt = this.modifiedAt.toISOString();
    await this.db.kysely
      .updateTable('dropbox_files')
      .set({ modified_at: modifiedAt })
      .where('district_id', '=', this.actor.districtId)
      .where('folder', '=', this.folder)
      .where('name', '=', this.name)
      .where('blob_key', '=', base.blobKey)
      .execute();
    return { ...base, modifiedAt };
  }

  async abort() {
    if (this.done) return;
    this.done = true;
    // The writer first: a copy under way then fails at its next write instead of running to its end.
    await this.writer.abort();
    await this.pending;
  }
}
