import { Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * Where a package's bytes are read from: positional reads, so a zip held in
 * the blob store is never copied whole into memory or onto disk. A
 * `BlobReader` from src/blobs fits as it is.
 */
export interface PackageSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

const CHUNK = 64 * 1024;

/** yauzl reads ranges through this; each range becomes a stream of positional reads. */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly source: PackageSource) {
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

const OPTIONS: yauzl.Options = {
  lazyEntries: true,
  // Entries are read after the central directory has been listed, so the zip must stay open.
  autoClose: false,
  decodeStrings: true,
  // A stream fails when an entry holds more bytes than its header declares: sizes cannot lie to our limits.
  validateEntrySizes: true,
  // Windows zips use backslashes; they become slashes. Names are only ever used as labels, never as paths on disk.
  strictFileNames: false,
};

export function openZip(source: PackageSource | Buffer): Promise<yauzl.ZipFile> {
  if (Buffer.isBuffer(source)) return yauzl.fromBufferPromise(source, OPTIONS);
  return yauzl.fromRandomAccessReaderPromise(new SourceReader(source), source.size, OPTIONS);
}

/** Every entry of the central directory, in order. Reads no file data. */
export async function listEntries(zip: yauzl.ZipFile, maxEntries: number): Promise<yauzl.Entry[]> {
  const entries: yauzl.Entry[] = [];
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
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

export class TooManyEntries extends Error {}

export class EntryTooLarge extends Error {}

/** Reads one entry into memory, never more than `maxBytes` whatever its header claims. */
export async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, maxBytes: number): Promise<Buffer> {
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
