import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangedBy } from '../../audit/audit.js';
import type { Db } from '../../db/db.js';
import { addSshKey, AUTH_MODES, getDistrictById, listSshKeys, removeSshKey, setSftpAuthMode, setSftpPassword } from '../../districts/districts.js';
import type { HostKey } from '../../hostKeys/hostKeys.js';
import { can, STAFF_ROLES } from '../../staff/roles.js';
import type { SessionCache } from '../../staff/sessionCache.js';
import { inviteStaff, listStaff, removeStaff, setStaffRole } from '../../staff/staff.js';
import { pageAuth } from '../auth.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';
import { formError } from './common.js';

export interface SettingsDeps {
  db: Db;
  hostKeys: HostKey[];
  sftp: { host: string; port: number };
  /** A removed account's sessions are forgotten here too, so not even a photo loads with them. */
  sessions: SessionCache;
}

const AUTH_LABELS: Record<string, string> = {
  password: 'Password only',
  publickey: 'SSH key only',
  both: 'SSH key and password (both)',
  either: 'SSH key or password (either)',
};

/** What a form's POST leaves to show: a result, an error, or a secret that is shown this once. */
interface Flash {
  notice?: string;
  error?: string;
  secret?: { label: string; value: string };
}

type Form = Record<string, string | undefined>;

/** How to connect, who may sign in, and the admin's changes to both. */
export function settingsPages(deps: SettingsDeps): FastifyPluginAsync {
  const { db } = deps;

  async function render(req: FastifyRequest, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const d = await getDistrictById(db, req.district.id);
    const session = req.session!;
    const admin = can(session.staff.role, 'settings:manage');
    const [keys, staff] = await Promise.all([listSshKeys(db, d.slug), listStaff(db, d.id)]);
    const csrf = html`<input type="hidden" name="_csrf" value="${session.csrfToken}">`;
    const form = (action: string, inner: Html, cls = 'inline') => html`<form method="post" action="${action}" class="${cls}">${csrf}${inner}</form>`;

    const body = html`<h1>Settings</h1>
${flash.notice ? html`<p class="notice" role="status">${flash.notice}</p>` : ''}
${flash.error ? html`<p class="error" role="alert">${flash.error}</p>` : ''}
${flash.secret
  ? html`<div class="card secret" role="status"><h2>${flash.secret.label}</h2><p><code class="big">${flash.secret.value}</code></p><p class="muted">Copy it now: Lanyard stores only a scrambled form and cannot show it again.</p></div>`
  : ''}
<section class="card">
  <h2>SFTP connection</h2>
  <dl class="facts">
    <dt>Host</dt><dd>${deps.sftp.host}</dd>
    <dt>Port</dt><dd>${deps.sftp.port}</dd>
    <dt>Username</dt><dd>${d.slug}</dd>
    <dt>Logs in with</dt><dd>${AUTH_LABELS[d.sftpAuth]}</dd>
  </dl>
  <h3>Server fingerprints</h3>
  <p class="muted">Your SFTP client shows one of these the first time it connects. If it ever says the fingerprint changed, do not connect: call Lanyard support.</p>
  <table>
    <thead><tr><th scope="col">Key type</th><th scope="col">SHA256 (OpenSSH, WinSCP, FileZilla)</th><th scope="col">MD5 (older clients)</th></tr></thead>
    <tbody>${deps.hostKeys.map((k) => html`<tr><td>${k.type}</td><td><code>${k.sha256}</code></td><td><code>${k.md5}</code></td></tr>`)}</tbody>
  </table>
  ${admin
    ? html`<h3>Password</h3>
  ${form('/settings/sftp-password', html`<p class="muted">Makes a new SFTP password and shows it once. The old one stops working at once: update every scheduled upload that uses it.</p><button type="submit">Reset the SFTP password</button>`, 'stack')}
  <h3>How the account logs in</h3>
  ${form(
    '/settings/sftp-auth',
    html`<label for="sftp-auth">Require</label>
    <select id="sftp-auth" name="mode">${AUTH_MODES.map((m) => html`<option value="${m}"${m === d.sftpAuth ? html` selected` : ''}>${AUTH_LABELS[m]}</option>`)}</select>
    <button type="submit">Save</button>`,
  )}`
    : ''}
  <h3>SSH keys</h3>
  ${keys.length === 0
    ? html`<p class="muted">No SSH keys yet.</p>`
    : html`<table><thead><tr><th scope="col">Fingerprint</th><th scope="col">Type</th><th scope="col">Comment</th>${admin ? html`<th scope="col"><span class="visually-hidden">Remove</span></th>` : ''}</tr></thead>
    <tbody>${keys.map(
      (k) => html`<tr><td><code>${k.fingerprint}</code></td><td>${k.algorithm}</td><td>${k.comment}</td>${admin
        ? html`<td>${form('/settings/ssh-keys/remove', html`<input type="hidden" name="fingerprint" value="${k.fingerprint}"><button type="submit" class="link danger">Remove</button>`)}</td>`
        : ''}</tr>`,
    )}</tbody></table>`}
  ${admin
    ? form(
        '/settings/ssh-keys',
        html`<label for="ssh-key">Add a public key (OpenSSH format: the one line in a <code>.pub</code> file)</label>
    <textarea id="ssh-key" name="key" rows="3" required placeholder="ssh-ed25519 AAAA… it@district.org"></textarea>
    <button type="submit">Add key</button>`,
        'stack',
      )
    : ''}
</section>
<section class="card">
  <h2>Staff who can sign in</h2>
  <table>
    <thead><tr><th scope="col">Email</th><th scope="col">Role</th>${admin ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
    <tbody>${staff.map(
      (s) => html`<tr><td>${s.email}</td><td>${admin && s.id !== session.staff.id
        ? form(
            `/settings/staff/${s.id}/role`,
            html`<label class="visually-hidden" for="role-${s.id}">Role of ${s.email}</label><select id="role-${s.id}" name="role">${STAFF_ROLES.map((r) => html`<option value="${r}"${r === s.role ? html` selected` : ''}>${r}</option>`)}</select><button type="submit">Change</button>`,
          )
        : s.role}</td>${admin
        ? html`<td>${s.id === session.staff.id ? html`<span class="muted">you</span>` : form(`/settings/staff/${s.id}/remove`, html`<button type="submit" class="link danger">Remove</button>`)}</td>`
        : ''}</tr>`,
    )}</tbody>
  </table>
  ${admin
    ? form(
        '/settings/staff',
        html`<h3>Invite a colleague</h3>
    <p class="muted">Lanyard makes a one-time password for them; give it to them in person or by phone. Technicians handle devices, check-outs and incidents; viewers only look.</p>
    <label for="staff-email">Work email</label><input id="staff-email" name="email" type="email" required autocomplete="off">
    <label for="staff-role">Role</label><select id="staff-role" name="role">${STAFF_ROLES.map((r) => html`<option value="${r}"${r === 'technician' ? html` selected` : ''}>${r}</option>`)}</select>
    <button type="submit">Invite</button>`,
        'stack',
      )
    : ''}
</section>`;
    return reply
      .status(status)
      .type('text/html')
      .header('cache-control', 'no-store')
      .send(page({ district: d, session, section: 'settings' }, 'Settings', body).toString());
  }

  /** Runs an admin's change (which audits itself); a LanyardError becomes the sentence shown on the page, everything else is a 500. */
  async function change(req: FastifyRequest, reply: FastifyReply, fn: (form: Form, by: ChangedBy) => Promise<Flash>) {
    try {
      const flash = await fn((req.body ?? {}) as Form, { actor: req.session!.staff.email, address: req.ip });
      return render(req, reply, flash);
    } catch (err) {
      const e = formError(err);
      return render(req, reply, { error: e.error }, e.status);
    }
  }

  const admin = { preHandler: pageAuth('settings:manage') };
  const staffAdmin = { preHandler: pageAuth('staff:manage') };

  return async (app) => {
    app.get('/settings', { preHandler: pageAuth('people:read') }, (req, reply) => render(req, reply));

    app.post('/settings/sftp-password', admin, (req, reply) =>
      change(req, reply, async (_f, by) => {
        const password = await setSftpPassword(db, req.district.slug, undefined, by);
        return { secret: { label: 'The new SFTP password', value: password } };
      }),
    );

    app.post('/settings/sftp-auth', admin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const d = await setSftpAuthMode(db, req.district.slug, f.mode ?? '', by);
        return { notice: `The SFTP account now logs in with: ${AUTH_LABELS[d.sftpAuth]?.toLowerCase()}.` };
      }),
    );

    app.post('/settings/ssh-keys', admin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const key = await addSshKey(db, req.district.slug, f.key ?? '', by);
        return { notice: `Key ${key.fingerprint} added.` };
      }),
    );

    app.post('/settings/ssh-keys/remove', admin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const fingerprint = f.fingerprint ?? '';
        await removeSshKey(db, req.district.slug, fingerprint, by);
        return { notice: `Key ${fingerprint} removed.` };
      }),
    );

    app.post('/settings/staff', staffAdmin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const { member, password } = await inviteStaff(db, { slug: req.district.slug, email: f.email ?? '', role: f.role ?? '' }, by);
        return { notice: `${member.email} can now sign in as ${member.role}.`, secret: { label: `One-time password for ${member.email}`, value: password } };
      }),
    );

    app.post<{ Params: { id: string } }>('/settings/staff/:id/role', staffAdmin, (req, reply) =>
      change(req, reply, async (f, by) => {
        await setStaffRole(db, req.district.id, Number(req.params.id), f.role ?? '', by);
        return { notice: `Role changed to ${f.role}.` };
      }),
    );

    app.post<{ Params: { id: string } }>('/settings/staff/:id/remove', staffAdmin, (req, reply) =>
      change(req, reply, async (_f, by) => {
        const removed = await removeStaff(db, req.district.id, Number(req.params.id), by);
        deps.sessions.forgetStaff(removed.id);
        return { notice: `${removed.email} can no longer sign in.` };
      }),
    );
  };
}
