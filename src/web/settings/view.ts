import type { District } from '../../districts/districts.js';
import type { ApiTokenInfo } from '../../districts/tokens.js';
import type { HostKey } from '../../hostKeys/hostKeys.js';
import { STAFF_ROLES } from '../../staff/roles.js';
import type { StaffMember } from '../../staff/staff.js';
import type { WebhookPost } from '../../webhooks/webhooks.js';
import { html, type Html } from '../html.js';
import { flashBlock, type Flash } from '../views/flash.js';
import { option, optionsOf, postForm } from '../views/forms.js';
import { timeEl } from '../views/format.js';
import { headRow, hiddenLabel, row } from '../views/table.js';
import { retentionCard, type RetentionProps } from './retentionCard.js';
import { quotaCard } from './quotaCard.js';
import type { DistrictSpace } from '../../quota/quota.js';

type AuthMode = District['sftpAuth'];

export const AUTH_LABELS: Record<AuthMode, string> = {
  password: 'Password only',
  publickey: 'SSH key only',
  both: 'SSH key and password (both)',
  either: 'SSH key or password (either)',
};

/** What a settings change leaves to show: a result, an error, or a secret that is shown this once. */
export type SettingsFlash = Flash;

export interface SettingsProps {
  flash: SettingsFlash;
  csrf: string;
  /** What the district's SFTP clients connect to. */
  sftp: { host: string; port: number; username: string; auth: AuthMode };
  hostKeys: Array<Pick<HostKey, 'type' | 'sha256' | 'md5'>>;
  sshKeys: Array<{ fingerprint: string; algorithm: string; comment: string }>;
  staff: StaffMember[];
  /** The signed-in staff member (who cannot change or remove themselves here). */
  myId: number;
  /** An admin may change the SFTP account and who signs in. */
  admin: boolean;
  /** The district's API tokens (shown to admins only: a token list says what integrations exist). */
  tokens: ApiTokenInfo[];
  /** Where finished deliveries are pushed (admins only), and the latest pushes. */
  webhook: { url: string; createdAt: string } | null;
  webhookLog: WebhookPost[];
  /** How long the district's photos and files are kept, and what the last run removed. */
  retention?: RetentionProps | undefined;
  /** The drop box's quota and what it holds now. */
  space?: DistrictSpace | undefined;
  /** What was typed into a refused form (a key, an email, a label, an address), to fix rather than type again. */
  values?: Readonly<Record<string, string | undefined>> | undefined;
}

const FINGERPRINT_HINT =
  'Your SFTP client shows one of these the first time it connects. ' +
  'If it ever says the fingerprint changed, do not connect: call Lanyard support.';
const PASSWORD_HINT =
  'Makes a new SFTP password and shows it once. ' +
  'The old one stops working at once: update every scheduled upload that uses it.';
const INVITE_HINT =
  'Lanyard makes a one-time password for them; give it to them in person or by phone. ' +
  'They choose their own at their first sign-in; the one-time password stops working after 7 days. ' +
  'Technicians handle devices, check-outs and incidents; viewers only look.';

/** A destructive action's link to its confirmation page (GET on the action's address). */
const askLink = (href: string, label: string, what: string) => html`<a class="link danger" href="${href}" aria-label="${what}">${label}</a>`;

function sftpCard(p: SettingsProps): Html {
  const hostKey = (k: SettingsProps['hostKeys'][number]) => row(k.type, html`<code>${k.sha256}</code>`, html`<code>${k.md5}</code>`);
  const resetPassword = html`<p class="muted">${PASSWORD_HINT}</p><p><a class="button secondary" href="/settings/sftp-password">Reset the SFTP password…</a></p>`;
  const authMode = postForm(
    '/settings/sftp-auth',
    p.csrf,
    html`<label for="sftp-auth">Require</label>
    <select id="sftp-auth" name="mode">${optionsOf(AUTH_LABELS, p.sftp.auth)}</select>
    <button type="submit">Save</button>`,
    'inline',
  );
  const removeKey = (fingerprint: string) =>
    askLink(`/settings/ssh-keys/remove?fingerprint=${encodeURIComponent(fingerprint)}`, 'Remove…', `Remove key ${fingerprint}`);
  const keyRow = (k: SettingsProps['sshKeys'][number]) =>
    row(html`<code>${k.fingerprint}</code>`, k.algorithm, k.comment, ...(p.admin ? [removeKey(k.fingerprint)] : []));
  const addKey = postForm(
    '/settings/ssh-keys',
    p.csrf,
    html`<label for="ssh-key">Add a public key (OpenSSH format: the one line in a <code>.pub</code> file)</label>
    <textarea id="ssh-key" name="key" rows="3" required placeholder="ssh-ed25519 AAAA… it@district.org">${p.values?.key ?? ''}</textarea>
    <button type="submit">Add key</button>`,
    'stack',
  );
  const keyHead = p.admin ? headRow('Fingerprint', 'Type', 'Comment', hiddenLabel('Remove')) : headRow('Fingerprint', 'Type', 'Comment');
  return html`<section class="card">
  <h2>SFTP connection</h2>
  <dl class="facts">
    <dt>Host</dt><dd>${p.sftp.host}</dd>
    <dt>Port</dt><dd>${p.sftp.port}</dd>
    <dt>Username</dt><dd>${p.sftp.username}</dd>
    <dt>Logs in with</dt><dd>${AUTH_LABELS[p.sftp.auth]}</dd>
  </dl>
  <h3>Server fingerprints</h3>
  <p class="muted">${FINGERPRINT_HINT}</p>
  <table>
    ${headRow('Key type', 'SHA256 (OpenSSH, WinSCP, FileZilla)', 'MD5 (older clients)')}
    <tbody>${p.hostKeys.map(hostKey)}</tbody>
  </table>
  ${p.admin
    ? html`<h3>Password</h3>
  ${resetPassword}
  <h3>How the account logs in</h3>
  ${authMode}`
    : ''}
  <h3>SSH keys</h3>
  ${p.sshKeys.length === 0
    ? html`<p class="muted">No SSH keys yet.</p>`
    : html`<table>${keyHead}
    <tbody>${p.sshKeys.map(keyRow)}</tbody></table>`}
  ${p.admin ? addKey : ''}
</section>`;
}

function staffCard(p: SettingsProps): Html {
  const roleForm = (s: StaffMember) =>
    postForm(
      `/settings/staff/${s.id}/role`,
      p.csrf,
      html`<label class="visually-hidden" for="role-${s.id}">Role of ${s.email}</label>
      <select id="role-${s.id}" name="role">${STAFF_ROLES.map((r) => option(r, r, s.role))}</select><button type="submit">Change</button>`,
      'inline',
    );
  const removeForm = (s: StaffMember) =>
    s.id === p.myId
      ? html`<span class="muted">you</span>`
      : html`<span class="row-actions"><a href="/settings/staff/${String(s.id)}/reset-password">Reset password</a> ${askLink(`/settings/staff/${s.id}/remove`, 'Remove…', `Remove ${s.email}`)}</span>`;
  const member = (s: StaffMember) => row(s.email, p.admin && s.id !== p.myId ? roleForm(s) : s.role, ...(p.admin ? [removeForm(s)] : []));
  const invite = postForm(
    '/settings/staff',
    p.csrf,
    html`<h3>Invite a colleague</h3>
    <p class="muted">${INVITE_HINT}</p>
    <label for="staff-email">Work email</label><input id="staff-email" name="email" type="email" required autocomplete="off" value="${p.values?.email ?? ''}">
    <label for="staff-role">Role</label><select id="staff-role" name="role">${STAFF_ROLES.map((r) => option(r, r, 'technician'))}</select>
    <button type="submit">Invite</button>`,
    'stack',
  );
  return html`<section class="card">
  <h2>Staff who can sign in</h2>
  <table>
    ${p.admin ? headRow('Email', 'Role', hiddenLabel('Actions')) : headRow('Email', 'Role')}
    <tbody>${p.staff.map(member)}</tbody>
  </table>
  ${p.admin ? invite : ''}
</section>`;
}

const TOKEN_HINT =
  'An API token lets another system (an asset manager, a help desk) read people and photos and record devices. ' +
  'It is shown once; revoke it when the system no longer needs it, and it stops working at once.';

function tokensCard(p: SettingsProps): Html {
  const revoke = (t: ApiTokenInfo) =>
    askLink(`/settings/api-tokens/${t.id}/revoke`, 'Revoke…', `Revoke API token ${t.id}`);
  const until = (t: ApiTokenInfo) => (t.expiresAt === null ? 'Until revoked' : `${t.expired ? 'Expired' : 'Until'} ${t.expiresAt.slice(0, 10)}`);
  const tokenRow = (t: ApiTokenInfo) =>
    row(String(t.id), html`<code>${t.shown ?? '(older token)'}</code>`, t.label ?? '', t.createdAt.slice(0, 10), until(t), revoke(t));
  const create = postForm(
    '/settings/api-tokens',
    p.csrf,
    html`<h3>New API token</h3>
    <label for="token-label">What will use it</label><input id="token-label" name="label" maxlength="100" placeholder="e.g. Incident IQ sync" value="${p.values?.label ?? ''}">
    <label for="token-days">Stops working after (days; empty: until revoked)</label><input id="token-days" name="days" inputmode="numeric" pattern="[0-9]*" value="${p.values?.days ?? ''}">
    <button type="submit">Make a token</button>`,
    'stack',
  );
  return html`<section class="card">
  <h2>API tokens</h2>
  <p class="muted">${TOKEN_HINT}</p>
  ${p.tokens.length === 0
    ? html`<p class="muted">No API tokens yet.</p>`
    : html`<table>${headRow('No.', 'Begins', 'Used by', 'Made', 'Works', hiddenLabel('Revoke'))}
    <tbody>${p.tokens.map(tokenRow)}</tbody></table>`}
  ${create}
</section>`;
}

const WEBHOOK_HINT =
  'When a delivery is finished (its session has ended and every file has its outcome), Lanyard POSTs its report as JSON to this ' +
  'https:// address, signed in the x-lanyard-signature header (HMAC-SHA256 of the x-lanyard-timestamp header, a dot and the body, ' +
  'with the secret shown when you set it). A push that fails is tried again, less and less often, for a day.';

const POST_STATUS: Readonly<Record<WebhookPost['status'], string>> = { pending: 'Retrying', sent: 'Sent', failed: 'Gave up' };

function webhookCard(p: SettingsProps): Html {
  const logRow = (w: WebhookPost) =>
    row(
      html`<a href="/deliveries/${w.deliveryId}">${w.deliveryId}</a>`,
      timeEl(w.createdAt),
      POST_STATUS[w.status],
      w.attempts,
      w.lastResult ?? '',
      w.status === 'pending' ? timeEl(w.nextAttemptAt) : w.sentAt ? timeEl(w.sentAt) : '',
    );
  const set = postForm(
    '/settings/webhook',
    p.csrf,
    html`<label for="webhook-url">${p.webhook ? 'Replace the address (a new secret is made)' : 'Address'}</label>
    <input id="webhook-url" name="url" type="url" required maxlength="2000" placeholder="https://sis.example.org/lanyard-hook" value="${p.values?.url ?? ''}">
    <button type="submit">${p.webhook ? 'Replace' : 'Push deliveries here'}</button>`,
    'stack',
  );
  const remove = p.webhook ? askLink('/settings/webhook/remove', 'Stop pushing…', 'Stop pushing deliveries') : '';
  return html`<section class="card" aria-labelledby="webhook-title">
  <h2 id="webhook-title">Webhook</h2>
  <p class="muted">${WEBHOOK_HINT}</p>
  ${p.webhook ? html`<p>Pushing to <code>${p.webhook.url}</code> since ${timeEl(p.webhook.createdAt)}. ${remove}</p>` : html`<p class="muted">No webhook: deliveries are not pushed.</p>`}
  ${set}
  ${p.webhookLog.length
    ? html`<h3>Latest pushes</h3><table class="webhook-log">${headRow('Delivery', 'Finished', 'Status', 'Attempts', 'Last answer', 'Next try / sent')}
  <tbody>${p.webhookLog.map(logRow)}</tbody></table>`
    : ''}
</section>`;
}

/** Settings: how to connect over SFTP and check the server, who may sign in, API tokens, and an admin's changes to them. */
export function settingsView(p: SettingsProps): Html {
  return html`<h1>Settings</h1>
${flashBlock(p.flash)}
${sftpCard(p)}
${p.space ? quotaCard(p.space) : ''}
${staffCard(p)}
${p.admin ? tokensCard(p) : ''}
${p.admin ? webhookCard(p) : ''}
${p.retention ? retentionCard(p.retention) : ''}`;
}
