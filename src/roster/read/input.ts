import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { BlobReader, BlobStore } from '../../blobs/blobStore.js';
import { formatBytes } from '../../shared/bytes.js';
import { openZip, type ZipEntry, type ZipLimits, type ZipProblem } from '../../zip/zipReader.js';
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
  /** Positional reads, needed only for a .zip. */
  randomAccess(): Promise<BlobReader>;
  /** A file delivered beside this one, by name; undefined when it is not there. */
  sibling(name: string): Promise<ByteSource | undefined>;
}

const CHUNK = 256 * 1024;

function blobSource(blobs: BlobStore, key: string): ByteSource {
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

function fileSource(file: string): ByteSource {
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

async function fileAccess(file: string): Promise<BlobReader> {
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

/**
 * The limits every zip is held to (as photographers' packages are): a
 * OneRoster export is a dozen CSV files, which compress about tenfold.
 */
export const ROSTER_ZIP_LIMITS: ZipLimits = { maxEntries: 1000, maxTotalBytes: 4 * 1024 ** 3, maxCompressionRatio: 100 };

export interface RosterZip {
  /** Entry names (folders dropped), lower case, mapped to a re-readable source of their bytes. */
  files: Map<string, ByteSource>;
  close(): void;
}

const AGAIN = 'Zip the OneRoster CSV files again and upload the new zip.';

/** The CSV files of a zip by their base name (OneRoster zips may put them in a folder). */
export async function openRosterZip(reader: BlobReader, limits: ZipLimits = ROSTER_ZIP_LIMITS): Promise<RosterZip> {
  const opened = await openZip(reader, limits);
  if (!opened.ok) throw refusal(opened.problem);
  const { zip } = opened;
  const files = new Map<string, ByteSource>();
  for (const e of zip.files) {
    const base = (e.fileName.split('/').pop() ?? '').toLowerCase();
    if (base.startsWith('.') || e.fileName.startsWith('__MACOSX/')) continue;
    if (!files.has(base)) files.set(base, () => unpacked(zip.stream, e));
  }
  return { files, close: () => zip.close() };
}

/**
 * An entry's bytes; a damaged or password-protected entry refuses the file
 * rather than failing the intake. Messages leave out the entry's name: the
 * reader puts the file's own name in front (`users.csv: …`).
 */
async function* unpacked(stream: (e: ZipEntry) => AsyncIterable<Buffer>, e: ZipEntry): AsyncIterable<Buffer> {
  if (e.isEncrypted()) throw new RosterRejection('it is password-protected in this .zip, so Lanyard cannot read it. Zip the OneRoster CSV files again without a password and upload the new zip.');
  try {
    yield* stream(e);
  } catch {
    throw new RosterRejection(`it is in this .zip but cannot be unpacked: the zip is damaged or incomplete. ${AGAIN}`);
  }
}

/** A zip refused before anything was unpacked, said so that whoever exports the roster can fix it. */
function refusal(p: ZipProblem): RosterRejection {
  switch (p.reason) {
    case 'not-a-zip':
      return new RosterRejection(`This .zip cannot be opened: it is damaged or incomplete, or not a zip at all. ${AGAIN}`);
    case 'damaged':
      return new RosterRejection(`This .zip is damaged: its list of files cannot be read. ${AGAIN}`);
    case 'unsafe-names':
      return new RosterRejection(`This .zip holds a file whose name points outside the zip (an absolute path or ".."). ${AGAIN}`);
    case 'too-many-entries':
      return new RosterRejection(
        `This .zip holds ${p.entries === null ? `more than ${count(p.max)}` : count(p.entries)} files; a OneRoster zip holds a few CSV files, and Lanyard opens none with more than ${count(p.max)}. Zip only the OneRoster CSV files and upload the new zip.`,
      );
    case 'zip-bomb':
      return new RosterRejection(
        `${p.entry} in this .zip would unpack from ${formatBytes(p.compressedSize)} to ${formatBytes(p.uncompressedSize)}, far more than any CSV file does, so the zip was not unpacked. ${AGAIN}`,
      );
    case 'too-large':
      return new RosterRejection(
        `This .zip unpacks to ${formatBytes(p.totalBytes)}, more than the ${formatBytes(p.max)} Lanyard reads from one zip. Zip only the files Lanyard reads (manifest.csv, orgs.csv, users.csv and, for OneRoster 1.2, roles.csv) and upload the new zip.`,
      );
  }
}

const count = (n: number): string => n.toLocaleString('en-US');
