import fs from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { getDistrict } from '../districts/districts.js';
import { linkWaitingPhotos } from '../photos/waiting.js';
import { changeRosterSettings, countsSentence, fileInput, getRosterSettings, type ImportResult, importRoster, listImports, type RosterSettings } from '../roster/index.js';
import { LanyardError } from '../shared/errors.js';
import { cliActor } from './actor.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

export function registerRosterCommands(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  const roster = program.command('roster').description('Roster files: import, history and settings.');

  withDataOptions(roster.command('import <slug> <file>'))
    .description('Import a roster file now (students.csv, staff.csv, Clever or OneRoster files, or a OneRoster .zip).')
    .option('--dry-run', 'show exactly what would change, and change nothing')
    .option('--force-deactivate', 'deactivate missing people even above the district\'s limit (after checking the file)')
    .addOption(jsonOption())
    .action(async (slug: string, file: string, opts) => {
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile()) throw new LanyardError('not-found', `Cannot read ${file}: no such file.`);
      const result = await withServices(opts, env, async (s) => {
        const d = await getDistrict(s.db, slug);
        const meta = { districtId: d.id, file: path.basename(file), source: 'cli', eventId: null, sha256: null };
        const r = await importRoster(s.db, meta, fileInput(file), { dryRun: opts.dryRun === true, forceDeactivate: opts.forceDeactivate === true });
        // Photos uploaded before these people existed are linked now, as after an SFTP import.
        if (r.outcome === 'imported' && !r.dryRun && r.counts.created + r.counts.reactivated > 0) await linkWaitingPhotos(s, d.id);
        return r;
      });
      const named = (t: string) => t.replaceAll('<district>', slug).replaceAll('<file>', file);
      if (result.outcome === 'rejected') throw new LanyardError('invalid', named(result.message));
      out.stdout(opts.json ? `${JSON.stringify(importJson(result, named))}\n` : renderImport(result, named));
    });

  withDataOptions(roster.command('history <slug>'))
    .description('Past roster imports, newest first, with the rows each one left out.')
    .option('--limit <n>', 'how many imports', '20')
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const imports = await withServices(opts, env, async (s) => listImports(s.db, (await getDistrict(s.db, slug)).id, Math.max(1, Number(opts.limit) || 20)));
      if (opts.json) return out.stdout(`${JSON.stringify({ imports })}\n`);
      if (imports.length === 0) return out.stdout(`No roster imports for ${slug} yet.\n`);
      for (const i of imports) {
        out.stdout(`${i.at}  ${i.file} (${i.source}) ${i.outcome}${i.outcome === 'imported' ? `: ${countsSentence(i)}` : ''}\n  ${i.message}\n`);
        if (i.outcome === 'rejected') continue;
        for (const e of i.rowErrors.slice(0, 20)) out.stdout(`    ${e.message}\n`);
        if (i.rowErrors.length > 20) out.stdout(`    …and ${i.rowErrors.length - 20} more (--json lists them all)\n`);
      }
    });

  withDataOptions(roster.command('settings <slug>'))
    .description('Show or change how a district\'s roster files are read and how carefully people are deactivated.')
    .addOption(new Option('--deactivate-missing <roles>', 'deactivate people missing from a full file').choices(['none', 'students', 'staff', 'both']))
    .option('--deactivate-limit <percent>', 'above this share of a role\'s active people, nobody is deactivated without --force-deactivate (default 10)')
    .option('--clever-students-id <column>', 'Clever students.csv column holding the Local ID (default Student_number)')
    .option('--clever-teachers-id <column>', 'Clever teachers.csv column holding the Local ID (default Teacher_number)')
    .option('--clever-staff-id <column>', 'Clever staff.csv column holding the Local ID (default Staff_id)')
    .option('--oneroster-id <field>', 'OneRoster users.csv field holding the Local ID: identifier, sourcedId, username or userIds:<type>')
    .option('--grade <from=to>', 'read a grade spelling as another, e.g. "P3=PK" (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--clear-grades', 'forget all grade spellings set before')
    .option('--daily <HH:MM|off>', 'import the files in data/ again every day at this time (UTC), or off')
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const { settings, dailyImport } = await withServices(opts, env, async (s) => {
        const d = await getDistrict(s.db, slug);
        const current = await getRosterSettings(s.db, d.id);
        const next = changedSettings(current, opts);
        const dailyAt = typeof opts.daily === 'string' ? (opts.daily.toLowerCase() === 'off' ? null : opts.daily) : undefined;
        return changeRosterSettings(s.db, d.id, { settings: next === current ? undefined : next, dailyAt }, cliActor());
      });
      out.stdout(opts.json ? `${JSON.stringify({ slug, settings, dailyImport })}\n` : renderSettings(slug, settings, dailyImport));
    });
}

interface SettingsFlags {
  deactivateMissing?: 'none' | 'students' | 'staff' | 'both';
  deactivateLimit?: string;
  cleverStudentsId?: string;
  cleverTeachersId?: string;
  cleverStaffId?: string;
  onerosterId?: string;
  grade?: string[];
  clearGrades?: boolean;
}

function changedSettings(current: RosterSettings, f: SettingsFlags): RosterSettings {
  const touched = Object.keys(f).some((k) => k in { deactivateMissing: 1, deactivateLimit: 1, cleverStudentsId: 1, cleverTeachersId: 1, cleverStaffId: 1, onerosterId: 1, grade: 1, clearGrades: 1 });
  if (!touched) return current;
  const next: RosterSettings = { ...current, deactivateMissing: { ...current.deactivateMissing }, cleverIdColumn: { ...current.cleverIdColumn }, gradeOverrides: f.clearGrades ? {} : { ...current.gradeOverrides } };
  if (f.deactivateMissing) next.deactivateMissing = { student: ['students', 'both'].includes(f.deactivateMissing), staff: ['staff', 'both'].includes(f.deactivateMissing) };
  if (f.deactivateLimit !== undefined) {
    const n = Number(f.deactivateLimit.replace(/%$/, ''));
    if (!Number.isInteger(n) || n < 0 || n > 100) throw new LanyardError('invalid', `The deactivation limit is a whole percentage from 0 to 100, not "${f.deactivateLimit}".`);
    next.deactivateLimitPercent = n;
  }
  if (f.cleverStudentsId) next.cleverIdColumn.students = f.cleverStudentsId;
  if (f.cleverTeachersId) next.cleverIdColumn.teachers = f.cleverTeachersId;
  if (f.cleverStaffId) next.cleverIdColumn.staff = f.cleverStaffId;
  if (f.onerosterId) {
    if (!/^(identifier|sourcedId|username|userIds:.+)$/i.test(f.onerosterId)) {
      throw new LanyardError('invalid', `The OneRoster Local ID field is identifier, sourcedId, username or userIds:<type> (e.g. userIds:LocalID), not "${f.onerosterId}".`);
    }
    next.oneRosterId = f.onerosterId;
  }
  for (const g of f.grade ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(g);
    if (!m) throw new LanyardError('invalid', `A grade spelling is given as from=to, e.g. "P3=PK", not "${g}".`);
    next.gradeOverrides[(m[1] as string).trim()] = (m[2] as string).trim();
  }
  return next;
}

function renderSettings(slug: string, s: RosterSettings, daily: string | null): string {
  const roles = [s.deactivateMissing.student ? 'students' : '', s.deactivateMissing.staff ? 'staff' : ''].filter(Boolean);
  const grades = Object.entries(s.gradeOverrides).map(([a, b]) => `${a}=${b}`);
  return [
    `Roster settings for ${slug}:`,
    `  deactivate people missing from a full file: ${roles.length ? roles.join(' and ') : 'no one (off)'}`,
    `  deactivation limit: ${s.deactivateLimitPercent}% of a role's active people (more needs --force-deactivate)`,
    `  Clever Local ID columns: students ${s.cleverIdColumn.students}, teachers ${s.cleverIdColumn.teachers}, staff ${s.cleverIdColumn.staff}`,
    `  OneRoster Local ID: ${s.oneRosterId}`,
    `  grade spellings: ${grades.length ? grades.join(', ') : 'none'}`,
    `  daily import of the files in data/: ${daily ? `${daily} UTC` : 'off'}`,
    '',
  ].join('\n');
}

function importJson(r: Extract<ImportResult, { outcome: 'imported' }>, named: (t: string) => string) {
  return {
    outcome: r.outcome,
    dryRun: r.dryRun,
    format: r.format,
    counts: r.counts,
    message: named(r.message),
    rowErrors: r.rowErrors,
    changes: {
      created: r.plan.creates.map((p) => p.localId),
      updated: r.plan.updates.map((u) => ({ localId: u.localId, changed: Object.fromEntries(u.changed.map((f) => [f, { from: u.previous[f] ?? null, to: u.fields[f] }])) })),
      reactivated: r.plan.reactivations.map((p) => p.localId),
      deactivated: r.plan.deactivations.map((p) => p.localId),
    },
  };
}

function renderImport(r: Extract<ImportResult, { outcome: 'imported' }>, named: (t: string) => string): string {
  const lines = [named(r.message)];
  if (r.dryRun) {
    for (const p of r.plan.creates) lines.push(`  create      ${p.localId}  ${p.firstName} ${p.lastName} (${p.role})`);
    for (const u of r.plan.updates) lines.push(`  update      ${u.localId}  ${u.changed.map((f) => `${f}: ${JSON.stringify(u.previous[f] ?? null)} -> ${JSON.stringify(u.fields[f])}`).join(', ')}`);
    for (const p of r.plan.reactivations) lines.push(`  reactivate  ${p.localId}  ${p.fields.firstName} ${p.fields.lastName}`);
    for (const p of r.plan.deactivations) lines.push(`  deactivate  ${p.localId}${p.reason === 'inactive-in-file' ? '  (inactive in the file)' : '  (not in the file)'}`);
  }
  for (const e of r.rowErrors) lines.push(`  ${e.message}`);
  return `${lines.join('\n')}\n`;
}
