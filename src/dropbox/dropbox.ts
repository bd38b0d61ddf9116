import type { BlobReader, BlobStore, BlobWriter } from '../blobs/blobStore.js';
import { writeAudit } from '../audit/audit.js';
import type { Db } from '../db/db.js';
import type { DropboxFileRow, DropboxFolder, IntakeSource } from '../db/schema.js';
import { insertEvent } from '../intake/events.js';
import { formatBytes } from '../shared/bytes.js';
import { LanyardError } from '../shared/errors.js';
import { checkName, isClientTempName } from './paths.js';

export type { DropboxFolder };

/** Who is changing the drop box, for the audit log and the intake event. */
export interface Actor {
  districtId: number;
  source: IntakeSource;
  /** The SFTP username or staff email. */
  name: string;
  address: string | null;
}

export interface DropboxFile {
  folder: DropboxFolder;
  name: string;
  size: number;
  sha256: string;
  blobKey: string;
  modifiedAt: string;
}

export interface Dropbox {
  list(districtId: number, folder: DropboxFolder, page: { after?: string | undefined; limit: number }): Promise<DropboxFile[]>;
  find(districtId: number, folder: DropboxFolder, name: string): Promise<DropboxFile | undefined>;
  count(districtId: number, folder: DropboxFolder): Promise<number>;
  /** Starts an upload that nobody sees until commit(). */
  beginUpload(actor: Actor, folder: DropboxFolder, name: string, opts?: { keepExisting?: boolean }): Promise<Upload>;
  openDownload(districtId: number, folder: DropboxFolder, name: string): Promise<BlobReader>;
  rename(actor: Actor, from: { folder: DropboxFolder; name: string }, to: { folder: DropboxFolder; name: string }): Promise<void>;
  remove(actor: Actor, folder: DropboxFolder, name: string): Promise<void>;
  setModifiedTime(districtId: number, folder: DropboxFolder, name: string, at: Date): Promise<void>;
}

export interface Upload {
  readonly folder: DropboxFolder;
  readonly name: string;
  readonly size: number;
  write(data: Buffer, offset: number): Promise<void>;
  /** Keep the client's time for the file (FileZilla and WinSCP preserve timestamps). */
  setModifiedTime(at: Date): void;
  /** Makes the file visible and records its intake event, durably, before resolving. */
  commit(): Promise<DropboxFile>;
  abort(): Promise<void>;
}

export interface DropboxOptions {
  db: Db;
  blobs: BlobStore;
  maxUploadBytes: number;
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

  async function find(districtId: number, folder: DropboxFolder, name: string) {
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

    async beginUpload(actor, folder, name, uploadOpts) {
      checkName(name);
      const writer = await blobs.createWriter();
      if (uploadOpts?.keepExisting) {
        // Resuming (append, or open without truncate): start from what is there now.
        const existing = await find(actor.districtId, folder, name);
        if (existing) await copyInto(blobs, existing.blobKey, writer).catch(async (err: unknown) => {
          await writer.abort();
          throw err;
        });
      }
      return new DropboxUpload(db, writer, actor, folder, name, opts.maxUploadBytes, notify);
    },

    async openDownload(districtId, folder, name) {
      const f = await mustFind(districtId, folder, name);
      return blobs.openReader(f.blobKey);
    },

    async rename(actor, from, to) {
      checkName(to.name);
      if (from.folder === to.folder && from.name === to.name) {
        await mustFind(actor.districtId, from.folder, from.name);
        return;
      }
      const ids = await db.kysely.transaction().execute(async (trx) => {
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
          ids.push(await insertEvent(trx, { districtId: actor.districtId, source: actor.source, folder: from.folder, file: from.name, action: 'delete' }));
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

    async remove(actor, folder, name) {
      const ids = await db.kysely.transaction().execute(async (trx) => {
        const res = await trx
          .deleteFrom('dropbox_files')
          .where('district_id', '=', actor.districtId)
          .where('folder', '=', folder)
          .where('name', '=', name)
          .executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw new LanyardError('not-found', `There is no file "${name}" in ${folder} to delete.`);
        await writeAudit(trx, { action: 'dropbox.delete', districtId: actor.districtId, actor: actor.name, address: actor.address, detail: { file: `${folder}/${name}`, source: actor.source } });
        if (isClientTempName(name)) return [];
        return [await insertEvent(trx, { districtId: actor.districtId, source: actor.source, folder, file: name, action: 'delete' })];
      });
      notify(actor.districtId, ids);
    },

    async setModifiedTime(districtId, folder, name, at) {
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

async function copyInto(blobs: BlobStore, key: string, writer: BlobWriter) {
  const reader = await blobs.openReader(key);
  try {
    for (let pos = 0; pos < reader.size; ) {
      const buf = await reader.read(pos, 1024 * 1024);
      if (buf.length === 0) break;
      await writer.write(buf, pos);
      pos += buf.length;
    }
  } finally {
    await reader.close();
  }
}

class DropboxUpload implements Upload {
  private modifiedAt: Date | undefined;
  private done = false;

  constructor(
    private readonly db: Db,
    private readonly writer: BlobWriter,
    private readonly actor: Actor,
    readonly folder: DropboxFolder,
    readonly name: string,
    private readonly maxBytes: number,
    private readonly notify: (districtId: number, ids: number[]) => void,
  ) {}

  get size() {
    return this.writer.size;
  }

  write(data: Buffer, offset: number): Promise<void> {
    if (offset + data.length > this.maxBytes) {
      return Promise.reject(
        new LanyardError('too-large', `${this.name} is larger than the ${formatBytes(this.maxBytes)} limit: split it into smaller files (for a photo package, several zips).`),
      );
    }
    return this.writer.write(data, offset);
  }

  setModifiedTime(at: Date) {
    this.modifiedAt = at;
  }

  async commit(): Promise<DropboxFile> {
    this.done = true;
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
    const ids = await this.db.kysely.transaction().execute(async (trx) => {
      await upsertFile(trx, a.districtId, this.folder, this.name, file);
      await writeAudit(trx, {
        action: 'dropbox.upload',
        districtId: a.districtId,
        actor: a.name,
        address: a.address,
        detail: { file: `${this.folder}/${this.name}`, size: blob.size, sha256: blob.sha256, source: a.source },
      });
      if (isClientTempName(this.name)) return [];
      return [await insertEvent(trx, { districtId: a.districtId, source: a.source, folder: this.folder, file: this.name, action: 'upload', blob })];
    });
    this.notify(a.districtId, ids);
    return file;
  }

  async abort() {
    if (this.done) return;
    this.done = true;
    await this.writer.abort();
  }
}
