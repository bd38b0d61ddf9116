import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formActions, links, visibleText } from '../../../test/web/viewProps.js';
import { changePasswordView } from './view.js';

test('Change my password asks for the current password and the new one twice, carrying the CSRF token', () => {
  const out = changePasswordView({ flash: {}, csrf: 'tok', mustChange: false, changed: false }).toString();
  assert.deepEqual(formActions(out), ['/account/password']);
  assert.match(out, /name="_csrf" value="tok"/);
  for (const name of ['current', 'next', 'repeat']) assert.match(out, new RegExp(`name="${name}" type="password"`));
  assert.match(out, /name="current" type="password" autocomplete="current-password"/);
  assert.match(out, /name="next" type="password" autocomplete="new-password"/);
  assert.doesNotMatch(visibleText(out), /one-time/);
});

test('after a one-time password it says why the page comes first; an error is an alert', () => {
  const text = visibleText(changePasswordView({ flash: { error: 'The two new passwords are not the same.' }, csrf: 'tok', mustChange: true, changed: false }));
  assert.match(text, /You signed in with a one-time password\. Choose your own password to continue/);
  assert.match(text, /Current password \(the one-time password you signed in with\)/);
  assert.match(text, /The two new passwords are not the same\./);
});

test('once changed it says so, and that other browsers were signed out', () => {
  const out = changePasswordView({ flash: {}, csrf: 'tok', mustChange: false, changed: true });
  assert.match(visibleText(out), /Your password is changed\. Any other browser signed in as you has been signed out/);
  assert.deepEqual(formActions(out), []);
  assert.ok(links(out).includes('/people'));
});
