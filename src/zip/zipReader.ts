import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { BlobReader } from '../blobs/blobStore.js';

/**
 * The zips districts upload, photographers' packages and OneRoster exports
 * alike, read without ever being written out: the central directory is listed
 * and checked against limits before anything is unpacked, and an entry never
 * unpacks to more than its header claims. Each caller says in its own words
 * what a refusal means for its files.
 */

/** What a zip is read from: a stored file's positional reads (a BlobReader fits as it is), or bytes in memory. */
export type ZipSource = Pick<BlobReader, 'size' | 'read'> | Buffer;

export type ZipEntry = yauzl.Entry;

export interface ZipLimits {
  maxEntries: number;
  /** Sum of what every entry claims to expand to. */
  maxTotalBytes: number;
  /** How much an entry above 1 MiB may expand: photos barely compress and CSV files tenfold, zip bombs a thousandfold. */
  maxCompressionRatio: number;
}

/** Why a zip was refused before anything in it was unpacked. */
export type ZipProblem =
  | { reason: 'not-a-zip' }
  /** `entries` is null when the zip's own count was wrong and listing stopped at the limit. */
  | { reason: 'too-many-entries'; entries: number | null; max: number }
  | { reason: 'unsafe-names' }
  | { reason: 'damaged' }
  | { reason: 'zip-bomb'; entry: string; compressedSize: number; uncompressedSize: number }
  | { reason: 'too-large'; totalBytes: number; max: number };

export type OpenedZip = { ok: true; zip: Zip } | { ok: false; problem: ZipProblem };

export interface Zip {
  /** Every file entry (folders left out), in the zip's order. */
  readonly files: readonly ZipEntry[];
  /** An entry's bytes as they unpack; the stream fails if it holds more than its header claims. */
  stream(entry: ZipEntry): AsyncIterable<Buffer>;
  /** An entry into memory, never more than `maxBytes` whatever its header claims (EntryTooLarge). */
  read(entry: ZipEntry, maxBytes: number): Promise<Buffer>;
  close(): void;
}

export class EntryTooLarge extends Error {
  override name = 'EntryTooLarge';
}

/** Entries smaller than this are not judged by their compression ratio: tiny files compress oddly. */
const RATIO_CHECK_FROM = 1024 ** 2;

/** Each range yauzl asks for is read in pieces of at most this, so no read holds much. */
const CHUNK = 64 * 1024;

const OPTIONS: yauzl.Options = {
  lazyEntries: true,
  // Entries are read after the central directory has been listed, so the zip must stay open.
  autoClose: false,
  decodeStrings: true,
  // A stream fails when an entry holds more bytes than its header declares: sizes cannot lie to the limits.
  validateEntrySizes: true,
  // Windows zips use backslashes; they become slashes. Names are only ever used as labels, never as paths on disk.
  strictFileNames: false,
};

export async function openZip(source: ZipSource, limits: ZipLimits): Promise<OpenedZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = Buffer.isBuffer(source) ? await yauzl.fromBufferPromise(source, OPTIONS) : await yauzl.fromRandomAccessReaderPromise(new SourceReader(source), source.size, OPTIONS);
  } catch {
    return { ok: false, problem: { reason: 'not-a-zip' } };
  }
  const refuse = (problem: ZipProblem): OpenedZip => {
    zip.close();
    return { ok: false, problem };
  };
  if (zip.entryCount > limits.maxEntries) return refuse({ reason: 'too-many-entries', entries: zip.entryCount, max: limits.maxEntries });
  let all: ZipEntry[];
  try {
    all = await listEntries(zip, limits.maxEntries);
  } catch (err) {
    if (err instanceof TooManyEntries) return refuse({ reason: 'too-many-entries', entries: null, max: limits.maxEntries });
    if (err instanceof Error && /invalid (relative )?path|absolute path|characters/i.test(err.message)) return refuse({ reason: 'unsafe-names' });
    return refuse({ reason: 'damaged' });
  }
  const files = all.filter((e) => !e.fileName.endsWith('/'));
  let total = 0;
  for (const e of files) {
    total += e.uncompressedSize;
    if (e.uncompressedSize >= RATIO_CHECK_FROM && e.uncompressedSize / Math.max(1, e.compressedSize) > limits.maxCompressionRatio) {
      return refuse({ reason: 'zip-bomb', entry: e.fileName, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize });
    }
  }
  if (total > limits.maxTotalBytes) return refuse({ reason: 'too-large', totalBytes: total, max: limits.maxTotalBytes });
  return {
    ok: true,
    zip: {
      files,
      stream: (entry) => entryStream(zip, entry),
      read: (entry, maxBytes) => readEntry(zip, entry, maxBytes),
      close: () => zip.close(),
    },
  };
}

/** yauzl reads ranges through this; each range becomes a stream of positional reads. */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly source: Pick<BlobReader, 'size' | 'read'>) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const source = this.source;
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; ) {
          const chunk = await source.read(at, Math.min(CHUNK, end - at));
          if (chunk.length === 0) throw new Error(`the zip ends at ${at} bytes, before ${end}`);
          at += chunk.length;
          yield chunk;
        }
      })(),
      { objectMode: false },
    );
  }
}

class TooManyEntries extends Error {}

/** Every entry of the central directory, in order. Reads no file data. */
function listEntries(zip: yauzl.ZipFile, maxEntries: number): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: ZipEntry) => {
      entries.push(entry);
      if (entries.length > maxEntries) {
        reject(new TooManyEntries());
        return;
      }
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

async function* entryStream(zip: yauzl.ZipFile, entry: ZipEntry): AsyncIterable<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
}

async function readEntry(zip: yauzl.ZipFile, entry: ZipEntry, maxBytes: number): Promise<Buffer> {
  if (entry.uncompressedSize > maxBytes) throw new EntryTooLarge();
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new EntryTooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
