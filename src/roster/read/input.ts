import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { BlobStore } from '../../blobs/blobStore.js';
import { RosterRejection } from '../rows.js';

/**
 * Where a roster file's bytes come from, as a function so a file can be read
 * again from the start (a Windows-1252 file is only recognised when a UTF-8
 * read fails). Chunks are read on demand: a file is never held whole in memory.
 */
export type ByteSource = () => AsyncIterable<Buffer>;

/** A file to import, and how to reach the files that travel with it (OneRoster's orgs.csv, manifest.csv and roles.csv). */
export interface RosterInput {
  /** The file's name as delivered (`students.csv`, `oneroster.zip`). */
  name: string;
  source: ByteSource;
  /** Positional access, needed only for a .zip. */
  randomAccess(): Promise<RandomAccess>;
  /** A file delivered beside this one, by name; undefined when it is not there. */
  sibling(name: string): Promise<ByteSource | undefined>;
}

const CHUNK = 256 * 1024;

export function blobSource(blobs: BlobStore, key: string): ByteSource {
  return async function* () {
    const reader = await blobs.openReader(key);
    try {
      for (let at = 0; ; ) {
        const chunk = await reader.read(at, CHUNK);
        if (chunk.length === 0) return;
        at += chunk.length;
        yield chunk;
      }
    } finally {
      await reader.close();
    }
  };
}

export function fileSource(file: string): ByteSource {
  return () => fs.createReadStream(file, { highWaterMark: CHUNK });
}

export function bufferSource(data: Buffer | string): ByteSource {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return async function* () {
    for (let at = 0; at < buf.length; at += CHUNK) yield buf.subarray(at, at + CHUNK);
  };
}

/** Finds a file in a district's data/ folder now. */
export type FindDataFile = (districtId: number, name: string) => Promise<{ blobKey: string } | undefined>;

/** A roster stored in the drop box; OneRoster's companions are looked up beside it in data/. */
export function blobInput(blobs: BlobStore, findDataFile: FindDataFile, districtId: number, name: string, blobKey: string): RosterInput {
  return {
    name,
    source: blobSource(blobs, blobKey),
    randomAccess: () => blobs.openReader(blobKey),
    async sibling(n) {
      const f = await findDataFile(districtId, n);
      return f ? blobSource(blobs, f.blobKey) : undefined;
    },
  };
}

/** A roster on local disk (the CLI's `roster import`); OneRoster's companions are looked for in the same folder. */
export function fileInput(file: string, name = path.basename(file)): RosterInput {
  const dir = path.dirname(file);
  return {
    name,
    source: fileSource(file),
    randomAccess: () => fileAccess(file),
    async sibling(n: string): Promise<ByteSource | undefined> {
      const entries = await fsp.readdir(dir);
      const found = entries.find((e) => e.toLowerCase() === n.toLowerCase());
      return found ? fileSource(path.join(dir, found)) : undefined;
    },
  };
}

async function fileAccess(file: string): Promise<RandomAccess> {
  const fh = await fsp.open(file, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    },
    close: () => fh.close(),
  };
}

/** Positional reads of a stored file (a BlobReader fits), so a zip is never copied whole into memory. */
export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

const ZIP_CHUNK = 64 * 1024;

class AccessReader extends yauzl.RandomAccessReader {
  constructor(private readonly access: RandomAccess) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const access = this.access;
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; ) {
          const chunk = await access.read(at, Math.min(ZIP_CHUNK, end - at));
          if (chunk.length === 0) throw new Error(`the zip ends at ${at} bytes, before ${end}`);
          at += chunk.length;
          yield chunk;
        }
      })(),
      { objectMode: false },
    );
  }
}

export interface RosterZip {
  /** Entry names (folders dropped), lower case, mapped to a re-readable source of their bytes. */
  files: Map<string, ByteSource>;
  close(): void;
}

/** The CSV files of a zip by their base name (OneRoster zips may put them in a folder). */
export async function openRosterZip(access: RandomAccess): Promise<RosterZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(new AccessReader(access), access.size, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: true,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (err) {
    throw new RosterRejection(`This .zip cannot be opened (${err instanceof Error ? err.message : String(err)}). Zip the OneRoster CSV files again and upload the new zip.`);
  }
  const entries = await new Promise<yauzl.Entry[]>((resolve, reject) => {
    const list: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      list.push(e);
      if (list.length > 1000) reject(new RosterRejection('This .zip holds more than 1,000 files; a OneRoster zip holds a few CSV files.'));
      else zip.readEntry();
    });
    zip.on('end', () => resolve(list));
    zip.on('error', reject);
    zip.readEntry();
  });
  const files = new Map<string, ByteSource>();
  for (const e of entries) {
    if (e.fileName.endsWith('/')) continue;
    const base = (e.fileName.split('/').pop() ?? '').toLowerCase();
    if (base.startsWith('.') || e.fileName.startsWith('__MACOSX/')) continue;
    if (!files.has(base)) files.set(base, () => entryStream(zip, e));
  }
  return { files, close: () => zip.close() };
}

async function* entryStream(zip: yauzl.ZipFile, e: yauzl.Entry): AsyncIterable<Buffer> {
  const stream = await zip.openReadStreamPromise(e);
  for await (const chunk of stream) yield chunk as Buffer;
}
