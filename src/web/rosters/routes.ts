import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebDomain } from '../../app/webDomain.js';
import type { Dropbox } from '../../dropbox/dropbox.js';
import type { RosterSettings } from '../../roster/index.js';
import { LanyardError } from '../../shared/errors.js';
import { can } from '../../staff/roles.js';
import { pageAuth } from '../auth.js';
import { changedBy, csrfOf, field, formError, sendNotFound, sendPage } from '../page.js';
import { prg } from '../prg.js';
import { registerUpload } from '../upload.js';
import type { Flash } from '../views/flash.js';
import { uploadSummary } from '../views/upload.js';
import { rostersDeskView, rowErrorsCsv } from './view.js';

const HISTORY = 50;

/** The Rosters desk: each import with its counts and row errors, files still waiting, settings, and uploading a roster from the browser. */
export function rosterRoutes(domain: Pick<WebDomain, 'rosters' | 'intake' | 'deliveries' | 'flashes'>, dropbox: Dropbox, settleSeconds: number): FastifyPluginAsync {
  const { rosters } = domain;
  const flashes = prg(domain.flashes);

  async function render(req: FastifyRequest, reply: FastifyReply, flash: Flash = {}, status = 200) {
    const districtId = req.district.id;
    const [imports, waiting, settings, dailyAt, deliveries] = await Promise.all([
      rosters.listImports(districtId, HISTORY),
      domain.intake.recentEvents(districtId, { folder: 'data', outcome: 'received', limit: 20, offset: 0 }),
      rosters.getRosterSettings(districtId),
      rosters.getDailyImport(districtId),
      domain.deliveries.listDeliveries(districtId, { folder: 'data', limit: 20 }),
    ]);
    const mayManage = can(req.session!.staff.role, 'rosters:manage');
    const body = rostersDeskView({ flash, csrf: csrfOf(req), mayManage, imports, waiting, deliveries, settings, dailyAt, settleSeconds, now: new Date() });
    return sendPage(req, reply, { section: 'rosters', title: 'Rosters', body, status });
  }

  const noSuchImport = (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) =>
    sendNotFound(req, reply, 'rosters', `There is no import ${req.params.id} in this district.`);

  return async (app) => {
    app.get('/rosters', { preHandler: pageAuth('people:read') }, async (req, reply) => render(req, reply, await flashes.take(req)));

    app.get<{ Params: { id: string } }>('/rosters/imports/:id/errors.csv', { preHandler: pageAuth('people:read') }, async (req, reply) => {
      const id = Number(req.params.id);
      const found = Number.isSafeInteger(id) ? await rosters.findImport(req.district.id, id) : undefined;
      if (!found) return noSuchImport(req, reply);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.district.slug}-import-${found.id}-errors.csv"`)
        .header('cache-control', 'no-store')
        .send(rowErrorsCsv(found));
    });

    app.post<{ Params: { id: string } }>('/rosters/imports/:id/deactivate', { preHandler: pageAuth('rosters:manage') }, async (req, reply) => {
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id)) return noSuchImport(req, reply);
      const r = await rosters.deactivateAnyway(req.district.id, id);
      if (!r.ok && r.reason === 'not-found') return noSuchImport(req, reply);
      if (!r.ok) return render(req, reply, { error: r.message }, 409);
      if (r.result.outcome !== 'imported') return render(req, reply, { error: r.result.message }, 422);
      return flashes.redirect(req, reply, '/rosters', { notice: r.result.message });
    });

    app.post<{ Body: Record<string, string | undefined> }>('/rosters/settings', { preHandler: pageAuth('rosters:manage') }, async (req, reply) => {
      try {
        const daily = field(req.body, 'dailyAt');
        const change = { settings: settingsFromForm(req.body ?? {}), dailyAt: daily === '' ? null : daily };
        await rosters.changeRosterSettings(req.district.id, change, changedBy(req));
        return await flashes.redirect(req, reply, '/rosters', { notice: 'Roster settings saved: the next import uses them.' });
      } catch (err) {
        const e = formError(err);
        return render(req, reply, { error: e.error }, e.status);
      }
    });

    await registerUpload(app, {
      path: '/rosters/upload',
      folder: 'data',
      permission: 'rosters:manage',
      dropbox,
      openDelivery: domain.deliveries.deliveryTicket,
      done: (req, reply, r) => {
        if ((req.headers.accept ?? '').includes('application/json')) return reply.send(r);
        const said = uploadSummary(r, 'the import runs once the file has settled and shows below.');
        // Nothing received: nothing changed, so the form is shown again as refused (the rule of every form).
        return r.saved.length ? flashes.redirect(req, reply, '/rosters', said) : render(req, reply, said, 400);
      },
    });
  };
}

/** The settings form's fields as settings, each checked with a sentence the admin can act on. */
function settingsFromForm(f: Record<string, string | undefined>): RosterSettings {
  const limit = Number(field(f, 'deactivateLimitPercent').replace(/%$/, ''));
  if (!Number.isInteger(limit) || limit < 0 || limit > 100) {
    throw new LanyardError('invalid', 'The deactivation limit is a whole percentage from 0 to 100.');
  }
  const oneRosterId = field(f, 'oneRosterId');
  if (!/^(identifier|sourcedId|username|userIds:.+)$/i.test(oneRosterId)) {
    const kinds = 'identifier, sourcedId, username or userIds:<type> (e.g. userIds:LocalID)';
    throw new LanyardError('invalid', `The OneRoster Local ID field is ${kinds}, not "${oneRosterId}".`);
  }
  const columns = { students: field(f, 'cleverStudents'), teachers: field(f, 'cleverTeachers'), staff: field(f, 'cleverStaff') };
  if (!columns.students || !columns.teachers || !columns.staff) throw new LanyardError('invalid', 'Name the Local ID column for each Clever file.');
  const gradeOverrides: Record<string, string> = {};
  for (const line of field(f, 'gradeOverrides').split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^([^=]+)=(.+)$/.exec(line.trim());
    if (!m) throw new LanyardError('invalid', `A grade spelling is written as from=to, e.g. "P3=PK", not "${line.trim()}".`);
    gradeOverrides[m[1]!.trim()] = m[2]!.trim();
  }
  return {
    deactivateMissing: { student: field(f, 'deactivateStudents') === '1', staff: field(f, 'deactivateStaff') === '1' },
    deactivateLimitPercent: limit,
    cleverIdColumn: columns,
    oneRosterId,
    gradeOverrides,
  };
}
