import assert from 'node:assert/strict';
import { test } from 'node:test';
import { links } from '../../../test/web/viewProps.js';
import { listHref, parseSort, showing, sortableHead } from './sort.js';

test('a sort in the URL is a known column and a way; anything else is the default order', () => {
  assert.deepEqual(parseSort('-localId', ['name', 'localId'], { by: 'name', dir: 'asc' }), { by: 'localId', dir: 'desc' });
  assert.deepEqual(parseSort('name', ['name', 'localId'], { by: 'name', dir: 'asc' }), { by: 'name', dir: 'asc' });
  assert.deepEqual(parseSort('school', ['name', 'localId'], { by: 'name', dir: 'asc' }), { by: 'name', dir: 'asc' });
  assert.deepEqual(parseSort('', ['opened'], { by: 'opened', dir: 'desc' }), { by: 'opened', dir: 'desc' });
});

test('the current column says its order to screen readers, and choosing it again turns it round; the others are plain', () => {
  const head = sortableHead(['Photo', { label: 'Name', key: 'name' }, { label: 'Opened', key: 'opened', first: 'desc' }], { by: 'name', dir: 'asc' }, (s) =>
    listHref('/people', { school: '101', sort: s, page: '' }),
  ).toString();
  assert.match(head, /<th scope="col">Photo<\/th>/);
  assert.match(head, /<th scope="col" aria-sort="ascending"><a class="sort" href="[^"]+">Name <span aria-hidden="true">▲<\/span><\/a><\/th>/);
  assert.deepEqual(links(head), ['/people?school=101&sort=-name', '/people?school=101&sort=-opened']);
});

test('page totals: all on one page, a page among many, and a count that stopped', () => {
  const base = { pageSize: 50, one: 'device', many: 'devices', more: false };
  assert.equal(showing({ ...base, pageNo: 1, shown: 1, total: 1 }), '1 device');
  assert.equal(showing({ ...base, pageNo: 1, shown: 3, total: 3 }), '3 devices');
  assert.equal(showing({ ...base, pageNo: 2, shown: 50, total: 3204 }), 'Showing 51–100 of 3,204 devices');
  assert.equal(showing({ ...base, pageNo: 3, shown: 50, total: 10_000, more: true }), 'Showing 101–150 of more than 10,000 devices');
  assert.equal(showing({ ...base, pageNo: 1, shown: 0, total: 0 }), '0 devices');
});
