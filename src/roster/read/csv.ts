import { RosterRejection } from '../rows.js';
import type { ByteSource } from './input.js';
import { CsvSplitter, MAX_RECORD_CHARS, type CsvRecord } from './splitter.js';

/*
 * From a file's bytes to CSV records: the text encoding (byte-order mark,
 * UTF-16, Windows-1252 when it is not UTF-8), the separator, the header row,
 * then the records, streamed.
 */

export type { CsvRecord };

/** The text encodings spreadsheets and student information systems really write. */
export type RosterEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

interface DetectedEncoding {
  encoding: RosterEncoding;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
}

/**
 * Decides from the first bytes: a byte-order mark wins; UTF-16 without one
 * shows as every other byte zero; text that is not valid UTF-8 is taken as
 * Windows-1252 (Excel's "CSV" on Windows). NUL bytes otherwise mean it is not
 * text at all (a spreadsheet saved as .xlsx, a picture).
 */
function detectEncoding(sample: Buffer): DetectedEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  const head = sample.subarray(0, 512);
  let zerosOdd = 0;
  let zerosEven = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] !== 0) continue;
    if (i % 2) zerosOdd++;
    else zerosEven++;
  }
  const half = head.length / 2;
  if (head.length >= 4 && zerosOdd > half * 0.6 && zerosEven === 0) return { encoding: 'utf-16le', bomLength: 0 };
  if (head.length >= 4 && zerosEven > half * 0.6 && zerosOdd === 0) return { encoding: 'utf-16be', bomLength: 0 };
  if (zerosOdd + zerosEven > 0 || looksBinary(sample)) {
    throw new RosterRejection('This file is not text: save the roster from your spreadsheet or SIS as CSV (comma, semicolon or tab separated) and upload it again.', { line: 1 });
  }
  return { encoding: isUtf8Prefix(sample) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/** Zip, xlsx, PDF and image signatures: files people drop by mistake. */
function looksBinary(b: Buffer): boolean {
  const sig = b.subarray(0, 4).toString('latin1');
  return sig.startsWith('PK\x03\x04') || sig.startsWith('%PDF') || sig.startsWith('\x89PNG') || sig.startsWith('\xff\xd8\xff') || sig.startsWith('\xd0\xcf\x11\xe0');
}

/** Valid UTF-8, allowing a character cut at the end of the sample. */
function isUtf8Prefix(sample: Buffer): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Thrown when a file that started as UTF-8 stops being UTF-8 further on: it is read again as Windows-1252. */
class NotUtf8Error extends Error {
  override name = 'NotUtf8Error';
}

/**
 * The file as text, chunk by chunk. A UTF-8 read is strict so that a
 * Windows-1252 file whose first accented letter comes late is still recognised
 * (the caller reads it again); the other encodings decode everything.
 */
async function* decodeText(source: ByteSource, detected: DetectedEncoding): AsyncIterable<string> {
  const decoder = new TextDecoder(detected.encoding, { fatal: detected.encoding === 'utf-8', ignoreBOM: true });
  let skip = detected.bomLength;
  for await (const raw of source()) {
    let chunk = raw;
    if (skip > 0) {
      const n = Math.min(skip, chunk.length);
      chunk = chunk.subarray(n);
      skip -= n;
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new NotUtf8Error('not UTF-8');
    }
    if (text) yield text;
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new NotUtf8Error('not UTF-8');
  }
  if (rest) yield rest;
}

/** The first bytes of a source, for detection. */
async function readSample(source: ByteSource, size = 64 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of source()) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= size) break;
  }
  return Buffer.concat(parts).subarray(0, size);
}

export type Delimiter = ',' | ';' | '\t' | '|';

export interface CsvFile {
  encoding: RosterEncoding;
  delimiter: Delimiter;
  header: string[];
  /** The records after the header, streamed a chunk's worth at a time (one await per chunk, not per row). */
  batches(): AsyncIterable<CsvRecord[]>;
  /** The same, one at a time: for the small files (manifests, schools). */
  records(): AsyncIterable<CsvRecord>;
}

const DELIMITERS: Delimiter[] = [',', ';', '\t', '|'];

/** The separator used most in the header line, outside quotes; a comma when there is none. */
export function sniffDelimiter(firstLine: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, (counts.get(ch as Delimiter) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/**
 * Opens a CSV roster: detects the encoding and separator, reads the header
 * row, and hands back a stream of records. Structural problems (not text, no
 * header, a quote never closed, a line over 1 MB) become a RosterRejection
 * saying where.
 */
async function openCsv(source: ByteSource, forceEncoding?: RosterEncoding): Promise<CsvFile> {
  if (forceEncoding) return openDecoded(source, { encoding: forceEncoding, bomLength: 0 });
  const sample = await readSample(source);
  if (sample.length === 0) throw new RosterRejection('The file is empty: it needs a header row and one row per person.', { line: 1 });
  const detected = detectEncoding(sample);
  try {
    return await openDecoded(source, detected);
  } catch (err) {
    if (err instanceof NotUtf8Error) return openDecoded(source, { encoding: 'windows-1252', bomLength: 0 });
    throw err;
  }
}

/**
 * Reads a whole CSV with `use`, once more as Windows-1252 when bytes that are
 * not UTF-8 turn up after the sample (an accent on row 5,000). `use` must not
 * have committed anything before it finishes, which holds: parsing is pure.
 */
export async function withCsv<T>(source: ByteSource, use: (csv: CsvFile) => Promise<T>): Promise<T> {
  try {
    return await use(await openCsv(source));
  } catch (err) {
    if (err instanceof NotUtf8Error) return use(await openCsv(source, 'windows-1252'));
    throw err;
  }
}

async function openDecoded(source: ByteSource, detected: DetectedEncoding): Promise<CsvFile> {
  const firstLine = await readFirstLine(source, detected);
  const delimiter = sniffDelimiter(firstLine);
  let header: string[] | undefined;
  for await (const batch of parseBatches(source, detected, delimiter)) {
    header = batch[0]?.cells.map((c) => c.trim());
    break;
  }
  if (!header || header.every((h) => h === '')) throw new RosterRejection('The file has no header row: the first line must name the columns (Local ID, First Name, Last Name, ...).', { line: 1 });
  /** Everything after the header record. */
  async function* batches(): AsyncIterable<CsvRecord[]> {
    let first = true;
    for await (const batch of parseBatches(source, detected, delimiter)) {
      if (first) {
        first = false;
        const rest = batch.slice(1);
        if (rest.length > 0) yield rest;
        continue;
      }
      yield batch;
    }
  }
  return {
    encoding: detected.encoding,
    delimiter,
    header,
    batches,
    async *records() {
      for await (const batch of batches()) yield* batch;
    },
  };
}

/** The text up to the first line break (at most a record's worth), for sniffing the separator. */
async function readFirstLine(source: ByteSource, detected: DetectedEncoding): Promise<string> {
  let text = '';
  for await (const t of decodeText(source, detected)) {
    const nl = t.indexOf('\n');
    if (nl >= 0) return text + t.slice(0, nl);
    text += t;
    if (text.length > MAX_RECORD_CHARS) break;
  }
  return text;
}

async function* parseBatches(source: ByteSource, detected: DetectedEncoding, delimiter: Delimiter): AsyncIterable<CsvRecord[]> {
  const splitter = new CsvSplitter(delimiter);
  for await (const text of decodeText(source, detected)) {
    const batch = splitter.push(text, false).filter((r) => !isBlank(r.cells));
    if (batch.length > 0) yield batch;
  }
  const last = splitter.push('', true).filter((r) => !isBlank(r.cells));
  if (last.length > 0) yield last;
}

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === '');
