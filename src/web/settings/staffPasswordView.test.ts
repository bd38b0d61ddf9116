import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formActions, links, visibleText } from '../../../test/web/viewProps.js';
import { confirmResetView, resetDoneView } from './staffPasswordView.js';

test('the confirm step names the colleague and what happens, and posts only on Confirm', () => {
  const out = confirmResetView({ csrf: 'tok', id: 7, email: 'edna@springfield.k12.us' });
  assert.match(visibleText(out), /Reset the password of edna@springfield\.k12\.us\? Their current password stops working\./);
  assert.deepEqual(formActions(out), ['/settings/staff/7/reset-password']);
  assert.ok(links(out).includes('/settings'), 'Cancel goes back');
});

test('the result shows the one-time password once, with its expiry; a second look says it was shown and nothing was reset', () => {
  const shown = resetDoneView({ shown: { email: 'edna@springfield.k12.us', password: 'abcde-fghjk-mnpqr-stuv', passwordExpiresAt: '2026-12-14T13:00:00.000Z' } });
  assert.match(String(shown), /<code class="big" id="secret-value">abcde-fghjk-mnpqr-stuv<\/code>/);
  assert.match(visibleText(shown), /The password of edna@springfield\.k12\.us is reset\. They must choose their own at their next sign-in/);
  assert.match(String(shown), /<time datetime="2026-12-14T13:00:00.000Z">/);
  const gone = resetDoneView({ shown: undefined });
  assert.doesNotMatch(String(gone), /<code/);
  assert.match(visibleText(gone), /already been shown .* the password was not reset again/);
});
