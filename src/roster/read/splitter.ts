import { RosterRejection } from '../rows.js';

/** One CSV record and the line it starts on (1 = the header). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * Splits CSV text into records as it arrives, chunk by chunk (RFC 4180:
 * quoted cells may hold separators, doubled quotes and line breaks; CRLF, LF
 * or CR end a record). Written here rather than taken from a library because
 * the line each record starts on must be exact for the district's report, and
 * because at 100,000 rows the generic parsers spend most of their time
 * converting between strings and buffers.
 *
 * An unfinished record at the end of a chunk is kept and read again with the
 * next chunk, so nothing but that one record is held.
 */
export class CsvSplitter {
  private rest = '';
  /** Line on which `rest` starts. */
  private line = 1;
  private readonly delimiter: number;

  constructor(delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** The records completed by `text`; with `final`, the last one too. */
  push(text: string, final: boolean): CsvRecord[] {
    const s = this.rest + text;
    const n = s.length;
    const D = this.delimiter;
    const out: CsvRecord[] = [];
    let i = 0;
    let recStart = 0;
    let recLine = this.line;
    let line = this.line;
    let cells: string[] = [];
    let complete = false;
    for (;;) {
      let value: string;
      if (i < n && s.charCodeAt(i) === QUOTE) {
        value = '';
        let seg = i + 1;
        let closedAt = -1;
        for (let j = seg; ; ) {
          const q = s.indexOf('"', j);
          if (q === -1) break;
          if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
            value += s.slice(seg, q + 1);
            j = seg = q + 2;
            continue;
          }
          if (q + 1 === n && !final) break; // the next chunk may start with a second quote
          value += s.slice(seg, q);
          closedAt = q;
          break;
        }
        if (closedAt < 0) {
          if (final) throw quoteNotClosed(recLine, cells.length + 1);
          break;
        }
        line += lineBreaks(value);
        i = closedAt + 1;
        // Text after the closing quote (`"Lee"Jr`) is kept, as spreadsheets do.
        let j = i;
        while (j < n) {
          const c = s.charCodeAt(j);
          if (c === D || c === LF || c === CR) break;
          j++;
        }
        if (j === n && !final) break;
        value += s.slice(i, j);
        i = j;
      } else {
        let j = i;
        while (j < n) {
          const c = s.charCodeAt(j);
          if (c === D || c === LF || c === CR) break;
          j++;
        }
        if (j === n && !final) break;
        value = s.slice(i, j);
        i = j;
      }
      cells.push(value);
      if (i >= n) {
        out.push({ line: recLine, cells });
        recStart = n;
        complete = true;
        break;
      }
      const c = s.charCodeAt(i);
      if (c === D) {
        i++;
        continue;
      }
      if (c === CR) {
        if (i + 1 < n) i += s.charCodeAt(i + 1) === LF ? 2 : 1;
        else if (final) i++;
        else break; // an LF may follow in the next chunk
      } else i++;
      line++;
      out.push({ line: recLine, cells });
      cells = [];
      recStart = i;
      recLine = line;
      if (i === n) {
        complete = true;
        break;
      }
    }
    this.rest = complete ? '' : s.slice(recStart);
    this.line = recLine;
    if (complete) this.line = line;
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
