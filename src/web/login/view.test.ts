import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visibleText } from '../../../test/web/viewProps.js';
import { loginView } from './view.js';

test('the sign-in form posts email and password (CONTRACT.md), and where to go next', () => {
  const out = loginView({ next: '/devices' }).toString();
  assert.match(out, /<form class="card login" method="post" action="\/login">/);
  assert.match(out, /<input id="email" name="email" type="email"/);
  assert.match(out, /<input id="password" name="password" type="password"/);
  assert.match(out, /<input type="hidden" name="next" value="\/devices">/);
  assert.doesNotMatch(out, /role="alert"/);
});

test('after a failure it keeps the email, never the password, and says what went wrong', () => {
  const out = loginView({ email: 'edna@x.org"><script>', error: 'That email and password do not match.' }).toString();
  assert.match(out, /value="edna@x\.org&quot;&gt;&lt;script&gt;"/);
  assert.doesNotMatch(out, /<script>/);
  assert.match(visibleText(out), /Sign in to Lanyard That email and password do not match\. Email Password Sign in$/);
});
