import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formActions, links, visibleText } from '../../../test/web/viewProps.js';
import { settingsView, type SettingsProps } from './view.js';

const AT = '2026-11-25T08:47:00.000Z';
const props = (over: Partial<SettingsProps> = {}): SettingsProps => ({
  flash: {},
  csrf: 'tok',
  sftp: { host: 'sftp.lanyard.example', port: 2222, username: 'springfield', auth: 'either' },
  hostKeys: [{ type: 'ssh-ed25519', sha256: 'SHA256:abc', md5: 'MD5:01:02' }],
  sshKeys: [{ fingerprint: 'SHA256:key1', algorithm: 'ssh-ed25519', comment: 'tech@<district>' }],
  staff: [
    { id: 1, districtId: 1, email: 'skinner@springfield.k12.us', role: 'admin', createdAt: AT, mustChangePassword: false },
    { id: 2, districtId: 1, email: 'edna@springfield.k12.us', role: 'technician', createdAt: AT, mustChangePassword: false },
  ],
  myId: 1,
  admin: true,
  tokens: [
    { id: 3, label: 'Incident IQ sync', shown: 'lny_AbCdEf…', createdAt: AT, expiresAt: null, expired: false },
    { id: 4, label: null, shown: null, createdAt: AT, expiresAt: '2026-11-30T00:00:00.000Z', expired: true },
  ],
  webhook: null,
  webhookLog: [],
  ...over,
});

test('everyone sees how to connect: host, port, username, login mode and the server\'s fingerprints', () => {
  const text = visibleText(settingsView(props({ admin: false })));
  assert.match(text, /Host sftp\.lanyard\.example Port 2222 Username springfield Logs in with SSH key or password \(either\)/);
  assert.match(text, /ssh-ed25519 SHA256:abc MD5:01:02/);
  assert.match(text, /SHA256:key1 ssh-ed25519 tech@<district>/);
  assert.match(text, /skinner@springfield\.k12\.us admin edna@springfield\.k12\.us technician/);
  assert.deepEqual(formActions(settingsView(props({ admin: false }))), [], 'no admin controls for others');
  assert.deepEqual(links(settingsView(props({ admin: false }))).filter((l) => l.startsWith('/settings/')), [], 'nor links to them');
});

test('an admin can reset the password, choose the login mode, manage keys and staff, but not change or remove themselves', () => {
  const out = settingsView(props());
  assert.deepEqual(formActions(out), ['/settings/sftp-auth', '/settings/ssh-keys', '/settings/staff/2/role', '/settings/staff', '/settings/api-tokens', '/settings/webhook']);
  // What destroys or replaces a secret is a link to its confirmation page, never a one-click button.
  assert.deepEqual(
    links(out).filter((l) => l.startsWith('/settings/')),
    [
      '/settings/sftp-password',
      '/settings/ssh-keys/remove?fingerprint=SHA256%3Akey1',
      '/settings/staff/2/reset-password',
      '/settings/staff/2/remove',
      '/settings/api-tokens/3/revoke',
      '/settings/api-tokens/4/revoke',
    ],
  );
  assert.match(out.toString(), /<a class="button secondary" href="\/settings\/sftp-password">Reset the SFTP password…<\/a>/);
  assert.match(out.toString(), /<option value="either" selected>SSH key or password \(either\)<\/option>/);
  assert.match(out.toString(), /<select id="role-2" name="role"><option value="admin">admin<\/option><option value="technician" selected>technician<\/option>/);
  assert.match(visibleText(out), /skinner@springfield\.k12\.us admin you/);
});

test('a secret is shown once with the warning to copy it; errors are alerts', () => {
  const out = settingsView(props({ flash: { notice: 'willie@x.org can now sign in.', secret: { label: 'One-time password for willie@x.org', value: 'pw-1' } } }));
  assert.match(out.toString(), /<div class="card secret" role="status"><h2>One-time password for willie@x\.org<\/h2>\s*<p class="secret-value"><code class="big" id="secret-value">pw-1<\/code>/);
  assert.match(out.toString(), /<button type="button" class="secondary copy" data-copy="secret-value" hidden>Copy<\/button>/, 'Copy, shown by app.js');
  assert.match(visibleText(out), /Copy it now: it will not be shown again\. Lanyard keeps only a scrambled form\./);
  assert.match(settingsView(props({ flash: { error: 'That key is already on "x".' } })).toString(), /<p class="error" role="alert">That key is already on &quot;x&quot;\.<\/p>/);
  assert.match(visibleText(settingsView(props({ sshKeys: [] }))), /No SSH keys yet\./);
});

test('an admin sees the API tokens by their first characters, never whole, with when each works until and a way to revoke it', () => {
  const out = settingsView(props());
  const text = visibleText(out);
  assert.match(text, /API tokens .* 3 lny_AbCdEf… Incident IQ sync 2026-11-25 Until revoked .* 4 \(older token\) 2026-11-25 Expired 2026-11-30/);
  assert.ok(links(out).includes('/settings/api-tokens/3/revoke'));
  assert.ok(formActions(out).includes('/settings/api-tokens'));
  assert.doesNotMatch(visibleText(settingsView(props({ admin: false }))), /API tokens/, 'others do not see which integrations exist');
});

test("an admin sets the webhook and reads its delivery log: each push's delivery, status, attempts and last answer", () => {
  const none = settingsView(props());
  assert.match(visibleText(none), /No webhook: deliveries are not pushed\./);
  assert.ok(formActions(none).includes('/settings/webhook'));
  const page = settingsView(
    props({
      webhook: { url: 'https://sis.example.org/hook', createdAt: AT },
      webhookLog: [
        { id: 2, deliveryId: 12, status: 'pending', attempts: 1, nextAttemptAt: AT, lastResult: 'HTTP 500', createdAt: AT, sentAt: null },
        { id: 1, deliveryId: 11, status: 'sent', attempts: 2, nextAttemptAt: AT, lastResult: 'HTTP 200', createdAt: AT, sentAt: AT },
      ],
    }),
  );
  const text = visibleText(page);
  assert.match(text, /Pushing to https:\/\/sis\.example\.org\/hook since 25 Nov 2026, 08:47 UTC/);
  assert.match(text, /12 25 Nov 2026, 08:47 UTC Retrying 1 HTTP 500 25 Nov 2026, 08:47 UTC/);
  assert.match(text, /11 25 Nov 2026, 08:47 UTC Sent 2 HTTP 200/);
  assert.ok(links(page).includes('/settings/webhook/remove'));
  assert.doesNotMatch(visibleText(settingsView(props({ admin: false, webhook: { url: 'https://sis.example.org/hook', createdAt: AT } }))), /sis\.example\.org/);
});

test('the webhook secret is shown once, with what it is for', () => {
  const note = 'Give it to whoever runs the receiving server.';
  const text = visibleText(settingsView(props({ flash: { secret: { label: 'The webhook secret', value: 'whsec_abc', note } } })));
  assert.match(text, /The webhook secret whsec_abc Copy Give it to whoever runs the receiving server\. Copy it now: it will not be shown again\./);
  assert.doesNotMatch(text, /scrambled form/);
});

test('a refused form keeps what was typed: the key, the email, the token label and days, the webhook address', () => {
  const values = { key: 'ssh-ed25519 not-a-key', email: 'willie@x.org', label: 'Help <desk>', days: 'soon', url: 'http://sis.example.org' };
  const out = settingsView(props({ flash: { error: 'No.' }, values })).toString();
  assert.match(out, />ssh-ed25519 not-a-key<\/textarea>/);
  assert.match(out, /id="staff-email"[^>]*value="willie@x\.org"/);
  assert.match(out, /id="token-label"[^>]*value="Help &lt;desk&gt;"/);
  assert.match(out, /id="token-days"[^>]*value="soon"/);
  assert.match(out, /id="webhook-url"[^>]*value="http:\/\/sis\.example\.org"/);
  assert.doesNotMatch(settingsView(props()).toString(), /value="willie/);
});
