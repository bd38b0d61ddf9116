import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LanyardError } from '../shared/errors.js';
import { checkName, isClientTempName, parsePath } from './paths.js';

const refused = (raw: string, message: RegExp) =>
  assert.throws(() => parsePath(raw), (err: unknown) => err instanceof LanyardError && message.test(err.message));

describe('paths a client sends', () => {
  test('absolute and relative paths reach the same places', () => {
    assert.deepEqual(parsePath('/'), { kind: 'root' });
    assert.deepEqual(parsePath('.'), { kind: 'root' });
    assert.deepEqual(parsePath(''), { kind: 'root' });
    assert.deepEqual(parsePath('idphotos'), { kind: 'folder', folder: 'idphotos' });
    assert.deepEqual(parsePath('/data/'), { kind: 'folder', folder: 'data' });
    assert.deepEqual(parsePath('/idphotos/123456.jpg'), { kind: 'file', folder: 'idphotos', name: '123456.jpg' });
    assert.deepEqual(parsePath('./idphotos//./123456.jpg'), { kind: 'file', folder: 'idphotos', name: '123456.jpg' });
  });

  test('a name typed with a combining accent is the same name as with the accented letter (NFC)', () => {
    const composed = 'Élève Zoë.csv';
    const decomposed = composed.normalize('NFD');
    assert.notEqual(decomposed, composed);
    assert.deepEqual(parsePath(`/data/${decomposed}`), { kind: 'file', folder: 'data', name: composed });
    assert.deepEqual(parsePath(`data/${composed}`), { kind: 'file', folder: 'data', name: composed });
  });

  test('.. moves between the two folders but never above the top', () => {
    assert.deepEqual(parsePath('/idphotos/../data/students.csv'), { kind: 'file', folder: 'data', name: 'students.csv' });
    assert.deepEqual(parsePath('/idphotos/..'), { kind: 'root' });
    refused('..', /points above your drop box: you can only reach idphotos and data/);
    refused('/../etc/passwd', /points above your drop box/);
    refused('/idphotos/../../x', /points above your drop box/);
  });

  test('other folders, subfolders, backslashes, NUL bytes and long names are refused with a reason', () => {
    refused('/etc/passwd', /There is no folder "etc" here: only idphotos \(photos\) and data \(roster files\) exist/);
    refused('/idphotos/grade5/123.jpg', /idphotos has no subfolders: put files directly in idphotos/);
    refused('idphotos\\123.jpg', /backslash/);
    refused('idphotos/12\u00003.jpg', /NUL/);
    refused(`idphotos/${'a'.repeat(300)}.jpg`, /too long/);
    refused('idphotos/a\u0007b.jpg', /control characters/);
  });

  test('a name that is no file name (empty, ".", "..", with a slash) is refused for every edge, browser uploads included', () => {
    for (const name of ['', '.', '..']) assert.throws(() => checkName(name), /is not a file name: give the file a name, like 123456\.jpg/, JSON.stringify(name));
    assert.throws(() => checkName('grade5/123.jpg'), /contains a slash: folders cannot be uploaded/);
    assert.doesNotThrow(() => checkName('..123456.jpg'));
  });

  test('temporary upload names of common clients are recognised', () => {
    for (const n of ['123.jpg.filepart', 'x.zip.part', 'students.csv.FILEPART']) assert.equal(isClientTempName(n), true, n);
    for (const n of ['123.jpg', 'partners.csv', 'part.jpg']) assert.equal(isClientTempName(n), false, n);
  });
});
