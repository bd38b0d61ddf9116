import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { RosterRejection } from './rejection.js';
import type { ByteSource } from './source.js';

/** Positional reads of a stored file (a BlobReader fits), so a zip is never copied whole into memory. */
export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;

class AccessReader extends yauzl.RandomAccessReader {
  constructor(private readonly access: RandomAccess) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const access = this.access;
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; ) {
          const chunk = await access.read(at, Math.min(CHUNK, end - at));
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
