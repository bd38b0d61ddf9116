import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PHOTO } from '../../../test/web/viewProps.js';
import { fullName } from '../../people/name.js';
import { face } from './avatar.js';

test('with a photo, a face is an <img> whose alt is the full name and whose src is the opaque URL of the size', () => {
  const p = { firstName: 'Lisa', lastName: 'Simpson', photo: PHOTO };
  assert.equal(
    face(p, 'thumb', { lazy: true }).toString(),
    '<img class="face face-thumb" src="/api/v1/photos/k1?size=thumb" alt="Lisa Simpson" width="48" height="60" loading="lazy" decoding="async">',
  );
  assert.match(face(p, 'profile').toString(), /src="\/api\/v1\/photos\/k1\?size=profile" alt="Lisa Simpson" width="240" height="300">$/);
  assert.match(face(p, 'desk').toString(), /size=profile" alt="Lisa Simpson" width="320" height="400">$/, 'the desk shows the large size');
});

test('without a photo there is no <img>, only initials hidden from screen readers', () => {
  const out = face({ firstName: 'émile', lastName: 'Zola', photo: undefined }, 'profile').toString();
  assert.equal(out, '<span class="face face-profile face-none" aria-hidden="true">ÉZ</span>');
});

test('a name with markup is text in the alt', () => {
  const p = { firstName: '<script>', lastName: '"Jones"', photo: PHOTO };
  assert.match(face(p, 'thumb').toString(), /alt="&lt;script&gt; &quot;Jones&quot;"/);
  assert.equal(fullName({ firstName: 'Cher', lastName: '' }), 'Cher');
});
