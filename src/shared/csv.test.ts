import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { neutraliseCell, toCsv } from './csv.js';

describe('CSV details', () => {
  test('cells a spreadsheet would run are neutralised in every CSV Lanyard writes', () => {
    assert.equal(neutraliseCell('=HYPERLINK("x")'), '\'=HYPERLINK("x")');
    assert.equal(neutraliseCell('+1-2'), "'+1-2");
    assert.equal(neutraliseCell('-cmd'), "'-cmd");
    assert.equal(neutraliseCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(neutraliseCell('Ann'), 'Ann');
    assert.equal(toCsv(['Local ID', 'Name'], [['1', '=1+1'], ['2', 'Lee, "Jr"']]), '\uFEFFLocal ID,Name\r\n1,\'=1+1\r\n2,"Lee, ""Jr"""\r\n');
  });
});
