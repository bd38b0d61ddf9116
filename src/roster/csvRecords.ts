import { decodeText, detectEncoding, NotUtf8Error, readSample, type DetectedEncoding, type RosterEncoding } from './decode.js';
import { CsvSplitter, type CsvRecord } from './csvSplitter.js';
import { RosterRejection } from './rejection.js';
import type { ByteSource } from './source.js';

export type { CsvRecord };

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
 * header, a quote never closed) become a RosterRejection saying where.
 */
export async function openCsv(source: ByteSource, forceEncoding?: RosterEncoding): Promise<CsvFile> {
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

async function readFirstLine(source: ByteSource, detected: DetectedEncoding): Promise<string> {
  let text = '';
  for await (const t of decodeText(source, detected)) {
    text += t;
    const nl = text.indexOf('\n');
    if (nl >= 0) return text.slice(0, nl);
    if (text.length > 1024 * 1024) break;
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

