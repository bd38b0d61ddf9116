import { parse, type CsvError } from 'csv-parse';
import { decodeText, detectEncoding, NotUtf8Error, readSample, type DetectedEncoding, type RosterEncoding } from './decode.js';
import { RosterRejection } from './rejection.js';
import type { ByteSource } from './source.js';

/** One CSV record and the line it starts on (1 = the header). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export type Delimiter = ',' | ';' | '\t' | '|';

export interface CsvFile {
  encoding: RosterEncoding;
  delimiter: Delimiter;
  header: string[];
  /** The records after the header, streamed: each is parsed when asked for. */
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
  const iterate = (enc: DetectedEncoding) => parseRecords(source, enc, delimiter);
  let header: string[] | undefined;
  for await (const r of iterate(detected)) {
    header = r.cells.map((c) => c.trim());
    break;
  }
  if (!header || header.every((h) => h === '')) throw new RosterRejection('The file has no header row: the first line must name the columns (Local ID, First Name, Last Name, ...).', { line: 1 });
  return {
    encoding: detected.encoding,
    delimiter,
    header,
    async *records() {
      let first = true;
      for await (const r of iterate(detected)) {
        if (first) {
          first = false;
          continue;
        }
        yield r;
      }
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

async function* parseRecords(source: ByteSource, detected: DetectedEncoding, delimiter: Delimiter): AsyncIterable<CsvRecord> {
  // Record delimiters given explicitly: csv-parse's own detection takes a CRLF file's \r alone as the delimiter.
  const parser = parse({ delimiter, record_delimiter: ['\r\n', '\n', '\r'], raw: true, relax_column_count: true, skip_empty_lines: false, bom: false, trim: false });
  // Our own line count, from each record's raw text: csv-parse counts a CRLF inside quotes as two lines.
  let nextLine = 1;
  let prevEndedWithCr = false;
  const feed = (async () => {
    try {
      for await (const text of decodeText(source, detected)) {
        if (parser.destroyed) return;
        if (!parser.write(text)) {
          // The reader may stop early (only the header was wanted): then the parser closes instead of draining.
          await new Promise<void>((resolve) => {
            parser.once('drain', resolve);
            parser.once('close', resolve);
          });
        }
      }
      if (!parser.destroyed) parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const line = nextLine;
      nextLine += lineBreaks(rec.raw, prevEndedWithCr);
      prevEndedWithCr = rec.raw.endsWith('\r');
      if (rec.record.every((c) => c.trim() === '')) continue;
      yield { line, cells: rec.record };
    }
  } catch (err) {
    if (err instanceof NotUtf8Error) throw err;
    throw toRejection(err as CsvError, nextLine);
  } finally {
    if (!parser.readableEnded) parser.destroy();
    await feed;
  }
}

/** Line breaks in a record's raw text: CRLF, LF or CR each count once. */
function lineBreaks(raw: string, prevEndedWithCr: boolean): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 13) n++;
    else if (c === 10 && !(i === 0 ? prevEndedWithCr : raw.charCodeAt(i - 1) === 13)) n++;
  }
  return n;
}

function toRejection(e: CsvError, line: number): RosterRejection {
  const err = e as unknown as { code: string; message: string; column?: number; lines?: number };
  const column = typeof err.column === 'number' ? err.column + 1 : undefined;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new RosterRejection(`Line ${line}${column ? `, column ${column}` : ''}: a quote (") opens a cell and is never closed, so the rest of the file would run together. Fix or remove that quote and upload the file again.`, { line, ...(column ? { column } : {}) });
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new RosterRejection(`Line ${line}${column ? `, column ${column}` : ''}: a quoted cell has text after its closing quote. Put the whole cell in quotes and double any quote inside it ("").`, { line, ...(column ? { column } : {}) });
    default:
      return new RosterRejection(`Line ${line}: the file cannot be read as CSV (${err.message}).`, { line });
  }
}
