import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visibleText } from '../../../test/web/viewProps.js';
import { html } from '../html.js';
import { bare, notFoundBody, page } from './layout.js';

const frame = { districtName: 'Springfield <Unified>', email: 'edna@springfield.k12.us', csrf: 'tok123', section: 'devices' as const };

test('a signed-in page names the district and who is signed in, marks the current section, and carries the CSRF token', () => {
  const out = page(frame, 'Devices', html`<h1>Devices</h1>`).toString();
  assert.match(out, /<title>Devices · Springfield &lt;Unified&gt; · Lanyard<\/title>/);
  assert.match(out, /<meta name="csrf-token" content="tok123">/);
  assert.match(out, /<a href="\/devices" aria-current="page">Devices<\/a>/);
  assert.match(out, /<a href="\/people">People<\/a>/, 'other sections are plain links');
  assert.match(out, /<form class="signout" method="post" action="\/logout">\s*<input type="hidden" name="_csrf" value="tok123">/);
  assert.match(visibleText(out), /Springfield <Unified> .* edna@springfield\.k12\.us Change my password Sign out Devices$/);
  assert.match(out, /<a class="change-password" href="\/account\/password">Change my password<\/a>/, 'every page links to Change my password');
  assert.doesNotMatch(out, /<script>/, 'no inline script (the CSP forbids it)');
});

test('a page before signing in has no navigation and no token', () => {
  const out = bare('Sign in', html`<p>hello</p>`).toString();
  assert.match(out, /<title>Sign in · Lanyard<\/title>/);
  assert.doesNotMatch(out, /<nav|csrf/);
  assert.match(out, /<body class="bare">/);
});

test('the not-found body says what was not found, as text', () => {
  assert.equal(visibleText(notFoundBody('No device has asset tag <x>.')), 'Not found No device has asset tag <x>.');
  assert.match(notFoundBody('<x>').toString(), /&lt;x&gt;/);
});
