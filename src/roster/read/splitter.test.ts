import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isRosterRejection, type RosterRejection } from '../rows.js';
import { CsvSplitter, MAX_RECORD_CHARS, type CsvRecord } from './splitter.js';

/** Splits `text` cut into chunks at `cuts`, as a file arrives. */
function split(text: string, cuts: number[], delimiter = ','): CsvRecord[] {
  const s = new CsvSplitter(delimiter);
  const out: CsvRecord[] = [];
  let at = 0;
  for (const c of cuts) {
    out.push(...s.push(text.slice(at, c), false));
    at = c;
  }
  out.push(...s.push(text.slice(at), true));
  return out;
}

function rejection(f: () => unknown): RosterRejection {
  try {
    f();
  } catch (err) {
    if (isRosterRejection(err)) return err;
    throw err;
  }
  assert.fail('the text was accepted');
}

// Line breaks of every kind inside quotes (CRLF, LF, CR), doubled quotes, text after a closing quote, and records ended by CRLF, LF and CR.
const TRICKY = 'Local ID,Name,Note\r\n1,"Lee, Ann","two\r\nlines"\r\n2,"Kim ""Bo""","a\nb\rc"\n3,"Ng"Jr,\r4,"\r\n",x\r\n\r\n5,"",\n';
const EXPECTED: CsvRecord[] = [
  { line: 1, cells: ['Local ID', 'Name', 'Note'] },
  { line: 2, cells: ['1', 'Lee, Ann', 'two\r\nlines'] },
  { line: 4, cells: ['2', 'Kim "Bo"', 'a\nb\rc'] },
  { line: 7, cells: ['3', 'NgJr', ''] },
  { line: 8, cells: ['4', '\r\n', 'x'] },
  { line: 10, cells: [''] },
  { line: 11, cells: ['5', '', ''] },
];

describe('splitting CSV text into records', () => {
  test('each record with the line it starts on, quoted line breaks counted as a spreadsheet shows them', () => {
    assert.deepEqual(split(TRICKY, []), EXPECTED);
  });

  test('the same records and lines wherever the chunks are cut: in a CRLF, between doubled quotes, after a closing quote', () => {
    for (let cut = 0; cut <= TRICKY.length; cut++) assert.deepEqual(split(TRICKY, [cut]), EXPECTED, `cut at ${cut}`);
    const everyCharacter = Array.from({ length: TRICKY.length }, (_, i) => i + 1);
    assert.deepEqual(split(TRICKY, everyCharacter), EXPECTED, 'one character at a time');
  });

  test('a quote never closed is refused with the line and column it opens on', () => {
    const r = rejection(() => split('a,b\n1,"2\n3,4\n', [5, 9]));
    assert.deepEqual(r.where, { line: 2, column: 2 });
    assert.match(r.message, /^Line 2, column 2: a quote \("\) opens a cell and is never closed/);
  });

  test('a record longer than 1 MB is refused once it is, however it arrives, without holding the rest', () => {
    const splitter = new CsvSplitter(',');
    assert.deepEqual(splitter.push('Local ID,Name\n1,Ann\n', false).length, 2);
    const chunk = 'x'.repeat(64 * 1024);
    let fed = 0;
    const r = rejection(() => {
      for (;;) {
        splitter.push(chunk, false);
        fed += chunk.length;
      }
    });
    assert.ok(fed <= MAX_RECORD_CHARS, `read ${fed} characters past the limit`);
    assert.deepEqual(r.where, { line: 3 });
    assert.equal(r.message, 'Line 3 is longer than 1 MB, far longer than any roster row: is this really a roster saved as CSV? Save the roster from your spreadsheet or student information system as CSV and upload that file.');
  });

  test('a quoted cell that runs on for more than 1 MB is refused as the quote it is', () => {
    const r = rejection(() => split(`a,b\n1,"${'x'.repeat(2 * MAX_RECORD_CHARS)}`, [100, 1_500_000]));
    assert.deepEqual(r.where, { line: 2, column: 2 });
    assert.match(r.message, /^Line 2, column 2: a quote \("\) opens a cell that runs on for more than 1 MB/);
  });

  test('a record of exactly the limit is read, and so is one that arrives whole in one chunk', () => {
    const cell = 'y'.repeat(MAX_RECORD_CHARS - 2);
    assert.deepEqual(split(`h\n1,${cell}\n2\n`, [3, 500_000]).map((r) => r.line), [1, 2, 3]);
    assert.equal(rejection(() => split(`h\n1,${cell}z\n`, [])).where.line, 2);
  });
});
