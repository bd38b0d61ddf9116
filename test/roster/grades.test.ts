import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { neutraliseCell, toCsv } from '../../src/shared/csv.js';
import { normaliseGrade } from '../../src/roster/grades.js';
import { sniffDelimiter } from '../../src/roster/csvRecords.js';
import { headerKey } from '../../src/roster/headers.js';

describe('grades in one form', () => {
  const cases: Array<[string, string | null]> = [
    ['K', 'K'], ['KG', 'K'], ['Kindergarten', 'K'], ['kinder', 'K'], ['00', 'K'], ['0', 'K'],
    ['PK', 'PK'], ['Pre-K', 'PK'], ['PreK', 'PK'], ['-1', 'PK'], ['TK', 'TK'], ['Transitional Kindergarten', 'TK'],
    ['1', '1'], ['01', '1'], ['1st', '1'], ['Grade 3', '3'], ['3rd grade', '3'], ['09', '9'], ['12', '12'], ['twelfth', '12'],
    ['UG', 'UG'], ['Ungraded', 'UG'], ['PS', 'PS'], ['', null], ['  ', null], ['Adult Ed', 'Adult Ed'],
  ];
  for (const [raw, want] of cases) {
    test(`${JSON.stringify(raw)} -> ${JSON.stringify(want)}`, () => assert.equal(normaliseGrade(raw), want));
  }
  test('a district override wins, compared loosely', () => {
    assert.equal(normaliseGrade('P3', { p3: 'PK' }), 'PK');
    assert.equal(normaliseGrade('00', { '00': 'PK' }), 'PK');
    assert.equal(normaliseGrade('Adult Ed', { 'adult ed': 'AE' }), 'AE');
  });
});

describe('CSV details', () => {
  test('separators are sniffed from the header, outside quotes', () => {
    assert.equal(sniffDelimiter('Local ID;First Name;Last Name'), ';');
    assert.equal(sniffDelimiter('Local ID\tFirst Name\tLast Name'), '\t');
    assert.equal(sniffDelimiter('"a;b;c",d,e'), ',');
    assert.equal(sniffDelimiter('LocalID'), ',');
  });
  test('header names ignore case, spaces and underscores', () => {
    assert.equal(headerKey('Local ID'), headerKey('local_id'));
    assert.equal(headerKey('LOCALID'), headerKey(' Local  Id '));
  });
  test('cells a spreadsheet would run are neutralised in every CSV Lanyard writes', () => {
    assert.equal(neutraliseCell('=HYPERLINK("x")'), '\'=HYPERLINK("x")');
    assert.equal(neutraliseCell('+1-2'), "'+1-2");
    assert.equal(neutraliseCell('-cmd'), "'-cmd");
    assert.equal(neutraliseCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(neutraliseCell('Ann'), 'Ann');
    assert.equal(toCsv(['Local ID', 'Name'], [['1', '=1+1'], ['2', 'Lee, "Jr"']]), '\uFEFFLocal ID,Name\r\n1,\'=1+1\r\n2,"Lee, ""Jr"""\r\n');
  });
});
