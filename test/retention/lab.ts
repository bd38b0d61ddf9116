/**
 * What the retention tests share: a real database (SQLite or PostgreSQL), a
 * real blob store (files, or the Ceph RGW test bucket) pinned the way
 * app/services.ts wires it, the real drop box, and a look at the storage
 * itself (is the file on disk, does the object answer 404) that goes around
 * the store.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { BlobStore } from '../../src/blobs/blobStore.js';
import { createFsBlobStore } from '../../src/blobs/fsBlobStore.js';
import { createS3BlobStore } from '../../src/blobs/s3BlobStore.js';
import { openDb, type Db } from '../../src/db/db.js';
import { createDropbox, type Actor, type Dropbox } from '../../src/dropbox/dropbox.js';
import { pinBlobs } from '../../src/retention/guards.js';
import { createDatabase, dropDatabase, type Dialect } from '../helpers/databases.js';
import { client, ensureBucket, removePrefix, storeOptions, testS3, uniquePrefix } from '../helpers/s3.js';

export type StoreKind = 'file' | 's3';
export const STORES: readonly StoreKind[] = ['file', 's3'];

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** Clock moved past every grace period the sweep keeps. */
export const later = (hours = 2): Date => new Date(Date.now() + hours * 3600 * 1000);

export interface Lab {
  db: Db;
  blobs: BlobStore;
  dropbox: Dropbox;
  dir: string;
  /** Runs inside the store's pinner, before the pin is taken (`before`) and after (`after`). */
  pinHooks: { before?: (key: string) => Promise<void>; after?: (key: string) => Promise<void> };
  /** Whether the bytes are in the storage itself: the file on disk, or the object answering HEAD (not 404). */
  stored(key: string): Promise<boolean>;
  district(slug: string): Promise<{ id: number; actor: Actor }>;
  upload(actor: Actor, folder: 'idphotos' | 'data', name: string, bytes: Buffer): Promise<void>;
  dispose(): Promise<void>;
}

export async function openLab(dialect: Dialect, kind: StoreKind): Promise<Lab> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'retention-'));
  const url = await createDatabase(dialect);
  const db = await openDb({ dataDir: dir, databaseUrl: url });
  const pinHooks: Lab['pinHooks'] = {};
  const pinner = async (keys: readonly string[]) => {
    for (const key of keys) await pinHooks.before?.(key);
    const tokens = await pinBlobs(db, keys);
    for (const key of keys) await pinHooks.after?.(key);
    return tokens;
  };
  let blobs: BlobStore;
  let stored: (key: string) => Promise<boolean>;
  let disposeStore = async () => {};
  if (kind === 'file') {
    const root = path.join(dir, 'blobs');
    blobs = createFsBlobStore(root, pinner);
    stored = (key) =>
      fs.access(path.join(root, 'sha256', key.slice(0, 2), key)).then(
        () => true,
        () => false,
      );
  } else {
    const s = testS3();
    const c = client(s);
    await ensureBucket(c, s.bucket);
    const prefix = uniquePrefix('retention');
    const store = createS3BlobStore({ ...storeOptions(s, prefix), pinner });
    blobs = store;
    stored = async (key) => {
      try {
        await c.send(new HeadObjectCommand({ Bucket: s.bucket, Key: `${prefix}sha256/${key.slice(0, 2)}/${key}` }));
        return true;
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw err;
      }
    };
    disposeStore = async () => {
      await removePrefix(c, s.bucket, prefix);
      store.close();
      c.destroy();
    };
  }
  const dropbox = createDropbox({ db, blobs, maxUploadBytes: 64 * 1024 * 1024 });
  return {
    db,
    blobs,
    dropbox,
    dir,
    pinHooks,
    stored,
    async district(slug) {
      const d = await db.kysely
        .insertInto('districts')
        .values({ slug, name: slug, sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: d.id, actor: { districtId: d.id, source: 'sftp', name: slug, address: '127.0.0.1' } };
    },
    async upload(actor, folder, name, bytes) {
      const u = await dropbox.beginUpload(actor, folder, name);
      await u.write(bytes, 0);
      await u.commit();
    },
    async dispose() {
      await db.close();
      await dropDatabase(url);
      await disposeStore();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** A promise with its resolver outside: a point one side waits at until the other opens it. */
export function gate<T = void>(): { promise: Promise<T>; open: (v: T) => void } {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}
