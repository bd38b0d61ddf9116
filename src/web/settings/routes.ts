import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangedBy } from '../../audit/audit.js';
import type { WebDomain } from '../../app/webDomain.js';
import type { HostKey } from '../../hostKeys/hostKeys.js';
import { can } from '../../staff/roles.js';
import type { SessionCache } from '../../staff/sessionCache.js';
import { ONE_TIME_DAYS } from '../../staff/staff.js';
import { LanyardError } from '../../shared/errors.js';
import { pageAuth } from '../auth.js';
import { changedBy, csrfOf, formError, sendPage } from '../page.js';
import { AUTH_LABELS, settingsView, type SettingsFlash } from './view.js';

export interface SettingsDeps {
  domain: Pick<WebDomain, 'districts' | 'staff' | 'webhooks' | 'retention' | 'quota'>;
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

  async function render(req: FastifyRequest, reply: FastifyReply, flash: SettingsFlash = {}, status = 200) {
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
    });
    return sendPage(req, reply, { section: 'settings', title: 'Settings', body, status });
  }

  /** Runs an admin's change; a LanyardError becomes the sentence shown on the page, everything else is a 500. */
  async function change(req: FastifyRequest, reply: FastifyReply, fn: (form: Form, by: ChangedBy) => Promise<SettingsFlash>) {
    try {
      return await render(req, reply, await fn((req.body ?? {}) as Form, changedBy(req)));
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
        const note = `Copy it now: Lanyard cannot show it again. They choose their own password at their first sign-in; this one stops working after ${ONE_TIME_DAYS} days.`;
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
