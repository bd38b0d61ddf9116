import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sniffDelimiter } from '../read/csv.js';
import { headerKey, normaliseGrade } from './fields.js';

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
});
