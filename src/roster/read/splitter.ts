import { RosterRejection } from '../rows.js';

/** One CSV record and the line it starts on (1 = the header). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * The longest record read, in characters (about 1 MB): no roster row comes
 * near it, and it bounds what a file without line breaks can make us hold.
 */
export const MAX_RECORD_CHARS = 1024 * 1024;

const QUOTE = 34;
const CR = 13;
const LF = 10;

// Where in a record the last chunk ended.
/** At the start of a cell: a quote here opens a quoted cell. */
const CELL_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Just after a quote inside a quoted cell: a second quote is a quote, anything else closes the cell. */
const QUOTE_IN_QUOTED = 3;
/** After a quoted cell's closing quote, before the separator or line end (`"Lee"Jr` is kept as spreadsheets keep it). */
const AFTER_QUOTED = 4;
/** A record ended with CR: an LF right after it is part of the same line break. */
const AFTER_CR = 5;

/**
 * Splits CSV text into records as it arrives, chunk by chunk (RFC 4180:
 * quoted cells may hold separators, doubled quotes and line breaks; CRLF, LF
 * or CR end a record). Written here rather than taken from a library because
 * the line each record starts on must be exact for the district's report, and
 * because at 100,000 rows the generic parsers spend most of their time
 * converting between strings and buffers.
 *
 * Every character is read once: where a chunk ends in the middle of a record,
 * the cells so far and the place in the record are kept, and the next chunk
 * carries on from there. So reading is linear in the file's size, and a
 * record longer than MAX_RECORD_CHARS is refused as soon as it is.
 */
export class CsvSplitter {
  private readonly delimiter: number;
  private state = CELL_START;
  private cells: string[] = [];
  /** The cell being read, as far as earlier chunks went. */
  private value = '';
  /** Line of the next character. */
  private line = 1;
  /** Line on which the record being read starts. */
  private recordLine = 1;
  /** Characters of the record being read in earlier chunks. */
  private recordChars = 0;
  /** The quoted text of an earlier chunk ended with CR: an LF starting this one is the same line break. */
  private crInQuotes = false;

  constructor(delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** The records completed by `text`; with `final`, the last one too. */
  push(text: string, final: boolean): CsvRecord[] {
    const s = text;
    const n = s.length;
    const D = this.delimiter;
    const out: CsvRecord[] = [];
    let { state, cells, value, line, recordLine, recordChars } = this;
    let i = 0;
    /** Where the record being read starts in this chunk (0 when it began in an earlier one). */
    let recordStart = 0;
    if (state === AFTER_CR && n > 0) {
      if (s.charCodeAt(0) === LF) i = recordStart = 1;
      state = CELL_START;
    }
    while (i < n) {
      if (state === CELL_START) {
        if (s.charCodeAt(i) === QUOTE) {
          state = QUOTED;
          i++;
          continue;
        }
        state = UNQUOTED;
      }
      if (state === UNQUOTED || state === AFTER_QUOTED) {
        let j = i;
        while (j < n) {
          const c = s.charCodeAt(j);
          if (c === D || c === LF || c === CR) break;
          j++;
        }
        value = value === '' ? s.slice(i, j) : value + s.slice(i, j);
        i = j;
        if (j === n) break; // the cell goes on in the next chunk
      } else if (state === QUOTED) {
        const q = s.indexOf('"', i);
        const end = q === -1 ? n : q;
        if (end > i) {
          const piece = s.slice(i, end);
          line += lineBreaks(piece) - (this.crInQuotes && piece.charCodeAt(0) === LF ? 1 : 0);
          this.crInQuotes = piece.charCodeAt(piece.length - 1) === CR;
          value = value === '' ? piece : value + piece;
        }
        if (q === -1) break;
        this.crInQuotes = false;
        state = QUOTE_IN_QUOTED;
        i = q + 1;
        continue;
      } else if (state === QUOTE_IN_QUOTED) {
        if (s.charCodeAt(i) === QUOTE) {
          value += '"';
          state = QUOTED;
          i++;
        } else state = AFTER_QUOTED;
        continue;
      }
      // s[i] ends the cell: a separator, or a line break that also ends the record.
      cells.push(value);
      value = '';
      const c = s.charCodeAt(i);
      if (c === D) {
        state = CELL_START;
        i++;
        continue;
      }
      if (recordChars + (i - recordStart) > MAX_RECORD_CHARS) throw tooLong(recordLine, undefined);
      out.push({ line: recordLine, cells });
      cells = [];
      recordChars = 0;
      recordLine = ++line;
      i++;
      if (c === CR) {
        if (i === n) {
          state = AFTER_CR;
          recordStart = n;
          break;
        }
        if (s.charCodeAt(i) === LF) i++;
      }
      state = CELL_START;
      recordStart = i;
    }

    if (final) {
      if (state === QUOTED) throw quoteNotClosed(recordLine, cells.length + 1);
      // Without a line break at the end the last record ends with the file; a trailing separator leaves an empty cell.
      if (state !== AFTER_CR && (state !== CELL_START || cells.length > 0)) {
        if (recordChars + (n - recordStart) > MAX_RECORD_CHARS) throw tooLong(recordLine, undefined);
        cells.push(value);
        out.push({ line: recordLine, cells });
      }
      state = CELL_START;
      cells = [];
      value = '';
      recordLine = line;
      recordChars = 0;
      this.crInQuotes = false;
    } else {
      if (state !== AFTER_CR) recordChars += n - recordStart;
      if (recordChars > MAX_RECORD_CHARS) throw tooLong(recordLine, state === QUOTED || state === QUOTE_IN_QUOTED ? cells.length + 1 : undefined);
    }
    this.state = state;
    this.cells = cells;
    this.value = value;
    this.line = line;
    this.recordLine = recordLine;
    this.recordChars = recordChars;
    return out;
  }
}

/** Line breaks inside a cell: CRLF, LF and CR each count once. */
function lineBreaks(v: string): number {
  let n = 0;
  for (let i = v.indexOf('\n'); i >= 0; i = v.indexOf('\n', i + 1)) n++;
  for (let i = v.indexOf('\r'); i >= 0; i = v.indexOf('\r', i + 1)) if (v.charCodeAt(i + 1) !== LF) n++;
  return n;
}

function quoteNotClosed(line: number, column: number): RosterRejection {
  return new RosterRejection(
    `Line ${line}, column ${column}: a quote (") opens a cell and is never closed, so the rest of the file would run together. Fix or remove that quote and upload the file again.`,
    { line, column },
  );
}

/** A record past MAX_RECORD_CHARS; `quotedColumn` when it is a quoted cell that runs on. */
function tooLong(line: number, quotedColumn: number | undefined): RosterRejection {
  if (quotedColumn !== undefined) {
    return new RosterRejection(
      `Line ${line}, column ${quotedColumn}: a quote (") opens a cell that runs on for more than 1 MB, so the rest of the file would run together. Fix or remove that quote and upload the file again.`,
      { line, column: quotedColumn },
    );
  }
  return new RosterRejection(
    `Line ${line} is longer than 1 MB, far longer than any roster row: is this really a roster saved as CSV? Save the roster from your spreadsheet or student information system as CSV and upload that file.`,
    { line },
  );
}
