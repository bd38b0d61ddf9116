import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../db/db.js';
import { listSshKeys } from '../../districts/districts.js';
import type { HostKey } from '../../hostKeys/hostKeys.js';
import { listStaff } from '../../staff/staff.js';
import { pageAuth } from '../auth.js';
import { html } from '../html.js';
import { page } from '../layout.js';

export interface SettingsDeps {
  db: Db;
  hostKeys: HostKey[];
  sftp: { host: string; port: number };
}

/** How to connect, and who may sign in: what a district admin looks up most. */
export function settingsPages(deps: SettingsDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/settings', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const d = req.district;
      const [keys, staff] = await Promise.all([listSshKeys(deps.db, d.slug), listStaff(deps.db, d.id)]);
      const body = html`<h1>Settings</h1>
<section class="card">
  <h2>SFTP connection</h2>
  <dl class="facts">
    <dt>Host</dt><dd>${deps.sftp.host}</dd>
    <dt>Port</dt><dd>${deps.sftp.port}</dd>
    <dt>Username</dt><dd>${d.slug}</dd>
    <dt>Logs in with</dt><dd>${{ password: 'password', publickey: 'SSH key', both: 'SSH key and password', either: 'SSH key or password' }[d.sftpAuth]}</dd>
  </dl>
  <h3>Server fingerprints</h3>
  <p class="muted">Your SFTP client shows one of these the first time it connects. If it ever says the fingerprint changed, do not connect: call Lanyard support.</p>
  <table>
    <thead><tr><th scope="col">Key type</th><th scope="col">SHA256 (OpenSSH, WinSCP, FileZilla)</th><th scope="col">MD5 (older clients)</th></tr></thead>
    <tbody>${deps.hostKeys.map((k) => html`<tr><td>${k.type}</td><td><code>${k.sha256}</code></td><td><code>${k.md5}</code></td></tr>`)}</tbody>
  </table>
  <h3>SSH keys</h3>
  ${keys.length === 0
    ? html`<p class="muted">No SSH keys yet.</p>`
    : html`<ul>${keys.map((k) => html`<li><code>${k.fingerprint}</code> ${k.algorithm} ${k.comment}</li>`)}</ul>`}
</section>
<section class="card">
  <h2>Staff who can sign in</h2>
  <table>
    <thead><tr><th scope="col">Email</th><th scope="col">Role</th></tr></thead>
    <tbody>${staff.map((s) => html`<tr><td>${s.email}</td><td>${s.role}</td></tr>`)}</tbody>
  </table>
</section>`;
      return reply.type('text/html').send(page({ district: d, session: req.session!, section: 'settings' }, 'Settings', body).toString());
    });
  };
}
