import fs from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { createAuditLog, type AuditLog } from '../audit/audit.js';
import type { BlobStore } from '../blobs/blobStore.js';
import { createFsBlobStore } from '../blobs/fsBlobStore.js';
import { createS3BlobStore } from '../blobs/s3BlobStore.js';
import type { Config } from '../config/config.js';
import { openDb, type Db } from '../db/db.js';
import { createDropbox, type Dropbox } from '../dropbox/dropbox.js';
import { pinBlobs } from '../retention/guards.js';

/** What every entry point (server, CLI command, test) works with, made from one Config. */
export interface Services {
  config: Config;
  log: Logger;
  db: Db;
  blobs: BlobStore;
  dropbox: Dropbox;
  audit: AuditLog;
  close(): Promise<void>;
}

export function createLogger(level: string): Logger {
  // Logs go to stderr: stdout carries what a person or a script reads (listen lines, --json).
  return pino({ level, base: undefined }, pino.destination({ fd: 2, sync: false }));
}

export interface ServiceHooks {
  /** A committed drop box change made intake events (the server pokes its workers). */
  onEvents?: (districtId: number, eventIds: number[]) => void;
}

export async function openServices(config: Config, log = createLogger(config.logLevel), hooks: ServiceHooks = {}): Promise<Services> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = await openDb({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    checkpointOffLoop: { onFailure: (err) => log.error({ err }, 'the SQLite checkpoint thread stopped: commits checkpoint again, more slowly') },
  });
  const store = config.blobStore;
  // The object store's bucket is checked (and made if missing) on first use: the server's start-up sweep.
  // Every key is pinned before its bytes are written, so the sweep of unreferenced bytes can run beside uploads.
  const pinner = (keys: readonly string[]) => pinBlobs(db, keys);
  const s3 = store.kind === 's3' ? createS3BlobStore({ ...store, pinner }) : undefined;
  const blobs = s3 ?? createFsBlobStore(path.join(config.dataDir, 'blobs'), pinner);
  const dropbox = createDropbox({
    db,
    blobs,
    maxUploadBytes: config.sftp.maxUploadBytes,
    maxWriteGapBytes: config.sftp.limits.maxWriteGapBytes,
    quota: config.quota,
    onEvents: (districtId, ids) => hooks.onEvents?.(districtId, ids),
  });
  const audit = createAuditLog(db, log);
  const close = async () => {
    try {
      await db.close();
    } finally {
      s3?.close();
    }
  };
  return { config, log, db, blobs, dropbox, audit, close };
}
