import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangedBy } from '../../audit/audit.js';
import type { WebDomain } from '../../app/webDomain.js';
import type { HostKey } from '../../hostKeys/hostKeys.js';
import { can } from '../../staff/roles.js';
import type { SessionCache } from '../../staff/sessionCache.js';
import { ONE_TIME_DAYS } from '../../staff/staff.js';
import { LanyardError } from '../../shared/errors.js';
import { html } from '../html.js';
import { hidden } from '../views/forms.js';
import { pageAuth } from '../auth.js';
import { changedBy, csrfOf, formError, sendConfirm, sendNotFound, sendPage } from '../page.js';
import { prg } from '../prg.js';
import { AUTH_LABELS, settingsView, type SettingsFlash } from './view.js';

export interface SettingsDeps {
  domain: Pick<WebDomain, 'districts' | 'staff' | 'webhooks' | 'retention' | 'quota' | 'flashes'>;
  hostKeys: HostKey[];
  /** What the settings page tells districts to connect to. */
  sftp: { host: string; port: number };
  /** A removed account's sessions are forgotten here too, so not even a photo loads with them. */
  sessions: SessionCache;
}

type Form = Record<string, string | undefined>;

/** How to connect, who may sign in, and an admin's changes to both (each audited by the domain function that makes it). */
export function settingsRoutes(deps: SettingsDeps): FastifyPluginAsync {
  const { districts, staff, webhooks, retention, quota } = deps.domain;
  const flashes = prg(deps.domain.flashes);

  async function render(req: FastifyRequest, reply: FastifyReply, flash: SettingsFlash = {}, status = 200, values: Form = {}) {
    // Read again, not req.district: the change just made (the login mode) must show.
    const d = await districts.getDistrictById(req.district.id);
    const session = req.session!;
    const admin = can(session.staff.role, 'settings:manage');
    const [sshKeys, members, tokens, webhook, webhookLog, policy, lastRun, space] = await Promise.all([
      districts.listSshKeys(d.slug),
      staff.listStaff(d.id),
      admin ? districts.listApiTokens(d.slug) : [],
      admin ? webhooks.getWebhook(d.id) : undefined,
      admin ? webhooks.webhookLog(d.id) : [],
      retention.getPolicy(d.id),
      retention.lastReport(d.id),
      quota.space(d.id),
    ]);
    const body = settingsView({
      flash,
      csrf: csrfOf(req),
      sftp: { ...deps.sftp, username: d.slug, auth: d.sftpAuth },
      hostKeys: deps.hostKeys,
      sshKeys,
      staff: members,
      myId: session.staff.id,
      admin,
      tokens,
      webhook: webhook ? { url: webhook.url, createdAt: webhook.createdAt } : null,
      webhookLog,
      retention: { policy, lastRun },
      space,
      values,
    });
    return sendPage(req, reply, { section: 'settings', title: 'Settings', body, status });
  }

  /**
   * Runs an admin's change and answers 303 back to Settings with what it says
   * (a secret included, shown once); a LanyardError shows the page again with
   * its sentence and status (nothing changed), anything else is a 500.
   */
  async function change(req: FastifyRequest, reply: FastifyReply, fn: (form: Form, by: ChangedBy) => Promise<SettingsFlash>) {
    try {
      const said = await fn((req.body ?? {}) as Form, changedBy(req));
      return await flashes.redirect(req, reply, '/settings', said);
    } catch (err) {
      const e = formError(err);
      return render(req, reply, { error: e.error }, e.status, (req.body ?? {}) as Form);
    }
  }

  const admin = { preHandler: pageAuth('settings:manage') };
  const staffAdmin = { preHandler: pageAuth('staff:manage') };

  return async (app) => {
    app.get('/settings', { preHandler: pageAuth('people:read') }, async (req, reply) => render(req, reply, await flashes.take(req)));

    // Each destructive or secret-changing action first asks on a page of its own (GET on the action's address).
    app.get('/settings/sftp-password', admin, (req, reply) =>
      sendConfirm(req, reply, 'settings', {
        title: 'Reset the SFTP password?',
        consequences: `Lanyard makes a new password for the SFTP account ${req.district.slug} and shows it once. The current password stops working at once: every scheduled upload and SFTP client that uses it fails until it is given the new one, and sessions logged in with it are ended.`,
        action: '/settings/sftp-password',
        confirmLabel: 'Reset the password',
        cancelHref: '/settings',
      }),
    );

    app.get<{ Querystring: { fingerprint?: string } }>('/settings/ssh-keys/remove', admin, async (req, reply) => {
      const fingerprint = req.query.fingerprint ?? '';
      const key = (await districts.listSshKeys(req.district.slug)).find((k) => k.fingerprint === fingerprint);
      if (!key) return sendNotFound(req, reply, 'settings', `The SFTP account has no key ${fingerprint}: it may have been removed already.`);
      return sendConfirm(req, reply, 'settings', {
        title: 'Remove this SSH key?',
        consequences: html`The key <code>${key.fingerprint}</code>${key.comment ? ` (${key.comment})` : ''} will no longer log in to the SFTP account ${req.district.slug}, and sessions logged in with it are ended. Uploads scheduled with this key stop until a key is added again.`,
        action: '/settings/ssh-keys/remove',
        fields: hidden('fingerprint', key.fingerprint),
        confirmLabel: 'Remove the key',
        cancelHref: '/settings',
      });
    });

    app.get<{ Params: { id: string } }>('/settings/api-tokens/:id/revoke', admin, async (req, reply) => {
      const token = (await districts.listApiTokens(req.district.slug)).find((t) => String(t.id) === req.params.id);
      if (!token) return sendNotFound(req, reply, 'settings', `There is no API token ${req.params.id} in this district.`);
      const usedBy = token.label ? ` (used by ${token.label})` : '';
      return sendConfirm(req, reply, 'settings', {
        title: `Revoke API token ${token.id}?`,
        consequences: `API token ${token.id}${usedBy} stops working at once: every call made with it gets 401. This cannot be undone; the system that uses it needs a new token.`,
        action: `/settings/api-tokens/${token.id}/revoke`,
        confirmLabel: 'Revoke the token',
        cancelHref: '/settings',
      });
    });

    app.get('/settings/webhook/remove', admin, async (req, reply) => {
      const hook = await webhooks.getWebhook(req.district.id);
      if (!hook) return sendNotFound(req, reply, 'settings', 'This district has no webhook: deliveries are not pushed.');
      return sendConfirm(req, reply, 'settings', {
        title: 'Stop pushing deliveries?',
        consequences: `Finished deliveries will no longer be pushed to ${hook.url}, and its secret is forgotten: setting a webhook again makes a new secret.`,
        action: '/settings/webhook/remove',
        confirmLabel: 'Stop pushing',
        cancelHref: '/settings',
      });
    });

    app.get<{ Params: { id: string } }>('/settings/staff/:id/remove', staffAdmin, async (req, reply) => {
      const member = (await staff.listStaff(req.district.id)).find((m) => String(m.id) === req.params.id);
      if (!member) return sendNotFound(req, reply, 'settings', 'That colleague is not on the staff of this district: they may have been removed already.');
      return sendConfirm(req, reply, 'settings', {
        title: `Remove ${member.email}?`,
        consequences: `${member.email} (${member.role}) will no longer be able to sign in, and is signed out everywhere at once. What they did stays in the history under their email.`,
        action: `/settings/staff/${member.id}/remove`,
        confirmLabel: 'Remove',
        cancelHref: '/settings',
      });
    });

    app.post('/settings/sftp-password', admin, (req, reply) =>
      change(req, reply, async (_f, by) => {
        const password = await districts.setSftpPassword(req.district.slug, undefined, by);
        return { secret: { label: 'The new SFTP password', value: password } };
      }),
    );

    app.post('/settings/sftp-auth', admin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const d = await districts.setSftpAuthMode(req.district.slug, f.mode ?? '', by);
        return { notice: `The SFTP account now logs in with: ${AUTH_LABELS[d.sftpAuth]?.toLowerCase()}.` };
      }),
    );

    app.post('/settings/ssh-keys', admin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const key = await districts.addSshKey(req.district.slug, f.key ?? '', by);
        return { notice: `Key ${key.fingerprint} added.` };
      }),
    );

    app.post('/settings/ssh-keys/remove', admin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const fingerprint = f.fingerprint ?? '';
        await districts.removeSshKey(req.district.slug, fingerprint, by);
        return { notice: `Key ${fingerprint} removed.` };
      }),
    );

    app.post('/settings/api-tokens', admin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const days = (f.days ?? '').trim();
        if (days !== '' && !/^[1-9]\d{0,3}$/.test(days)) throw new LanyardError('invalid', `"${days}" is not a number of days: give a whole number such as 90, or leave it empty.`);
        const expiresAt = days === '' ? undefined : new Date(Date.now() + Number(days) * 86_400_000).toISOString();
        const { id, token } = await districts.createApiToken(req.district.slug, { label: f.label, expiresAt }, by);
        return { notice: `API token ${id} made.`, secret: { label: `API token ${id}`, value: token } };
      }),
    );

    app.post<{ Params: { id: string } }>('/settings/api-tokens/:id/revoke', admin, (req, reply) =>
      change(req, reply, async (_f, by) => {
        const id = Number(req.params.id);
        await districts.revokeApiToken(req.district.slug, Number.isSafeInteger(id) ? id : -1, by);
        return { notice: `API token ${id} is revoked: calls with it now get 401.` };
      }),
    );

    app.post('/settings/webhook', admin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const hook = await webhooks.setWebhook(req.district.id, f.url ?? '', by);
        const note = 'Give it to whoever runs the receiving server; it is needed to check each push, and replacing the address makes a new one.';
        return { notice: `Finished deliveries are now pushed to ${hook.url}.`, secret: { label: 'The webhook secret', value: hook.secret, note } };
      }),
    );

    app.post('/settings/webhook/remove', admin, (req, reply) =>
      change(req, reply, async (_f, by) => {
        await webhooks.removeWebhook(req.district.id, by);
        return { notice: 'Deliveries are no longer pushed.' };
      }),
    );

    app.post('/settings/staff', staffAdmin, (req, reply) =>
      change(req, reply, async (f, by) => {
        const { member, password } = await staff.inviteStaff({ slug: req.district.slug, email: f.email ?? '', role: f.role ?? '' }, by);
        const note = `They choose their own password at their first sign-in; this one stops working after ${ONE_TIME_DAYS} days.`;
        const secret = { label: `One-time password for ${member.email}`, value: password, note };
        return { notice: `${member.email} can now sign in as ${member.role}.`, secret };
      }),
    );

    app.post<{ Params: { id: string } }>('/settings/staff/:id/role', staffAdmin, (req, reply) =>
      change(req, reply, async (f, by) => {
        await staff.setStaffRole(req.district.id, Number(req.params.id), f.role ?? '', by);
        return { notice: `Role changed to ${f.role}.` };
      }),
    );

    app.post<{ Params: { id: string } }>('/settings/staff/:id/remove', staffAdmin, (req, reply) =>
      change(req, reply, async (_f, by) => {
        const removed = await staff.removeStaff(req.district.id, Number(req.params.id), by);
        deps.sessions.forgetStaff(removed.id);
        return { notice: `${removed.email} can no longer sign in.` };
      }),
    );
  };
}
