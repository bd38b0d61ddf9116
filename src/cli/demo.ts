import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { intakeHandlers } from '../app/intake.js';
import { openServices, type Services } from '../app/services.js';
import { checkOut } from '../checkouts/checkouts.js';
import { loadConfig } from '../config/config.js';
import { createDevice } from '../devices/devices.js';
import { createDistrict, findDistrict } from '../districts/districts.js';
import type { Actor } from '../dropbox/dropbox.js';
import { listEvents } from '../intake/events.js';
import { startIntakeWorker } from '../intake/worker.js';
import { openIncident, updateIncident } from '../incidents/incidents.js';
import { findPerson, searchPeople } from '../people/people.js';
import { currentPhotos } from '../photos/current.js';
import { LanyardError } from '../shared/errors.js';
import { createStaff } from '../staff/staff.js';
import { cliActor } from './actor.js';
import { demoPeople, demoPortrait, demoRosters } from './demoData.js';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';

const SLUG = 'demo';
const ADMIN_EMAIL = 'admin@demo.lanyard.test';
/** People left without a photo, so the missing-photo list has something on it. */
const WITHOUT_PHOTO = 3;

export interface DemoResult {
  slug: string;
  signIn: { email: string; password: string };
  sftp: { username: string; password: string };
  people: number;
  photos: number;
  devices: number;
  checkouts: number;
  incidents: number;
}

/**
 * Fills a data folder with a demo district through the same paths a real one
 * uses: roster files and photos go into the drop box and through the intake;
 * devices, check-outs and an incident through the domain functions.
 */
export async function makeDemo(services: Services, progress: (line: string) => void): Promise<DemoResult> {
  const { db } = services;
  if (await findDistrict(db, SLUG)) throw new LanyardError('conflict', `This data folder already has the demo district ("${SLUG}"): use another --data-dir for a fresh one.`);
  const { district, password: sftpPassword } = await createDistrict(db, { slug: SLUG, name: 'Demo Unified School District' });
  const adminPassword = randomBytes(9).toString('base64url');
  await createStaff(db, { slug: SLUG, email: ADMIN_EMAIL, password: adminPassword, role: 'admin' }, cliActor());

  const actor: Actor = { districtId: district.id, source: 'web', name: ADMIN_EMAIL, address: null };
  const put = async (folder: 'data' | 'idphotos', name: string, bytes: Buffer) => {
    const upload = await services.dropbox.beginUpload(actor, folder, name);
    await upload.write(bytes, 0);
    await upload.commit();
  };
  const people = demoPeople();
  for (const r of demoRosters(people)) await put('data', r.name, Buffer.from(r.text));
  progress(`Uploaded the roster (${people.length} people).`);
  // Roster first, so each photo finds its person on arrival, as on a district's first day.
  await runIntake(services, district.id);
  const photographed = people.slice(0, people.length - WITHOUT_PHOTO);
  for (const [i, p] of photographed.entries()) await put('idphotos', `${p.localId}.jpg`, await demoPortrait(p, i));
  progress(`Uploaded ${photographed.length} photos.`);
  await runIntake(services, district.id);
  progress('The intake has processed the uploads.');

  const devices = ['Chromebook 3100', 'Chromebook 3100', 'iPad (9th gen)', 'Chromebook 3100', 'Latitude 3140', 'iPad (9th gen)'];
  const tags: string[] = [];
  for (let i = 0; i < 12; i++) {
    const tag = `LT-${String(1001 + i)}`;
    await createDevice(db, district.id, { assetTag: tag, serialNumber: `5CD${randomBytes(4).toString('hex').toUpperCase()}`, model: devices[i % devices.length]! });
    tags.push(tag);
  }
  let checkouts = 0;
  for (let i = 0; i < 7; i++) {
    const p = people[i * 3]!;
    if (!(await findPerson(db, district.id, p.localId))) continue;
    await checkOut(db, district.id, { assetTag: tags[i]!, localId: p.localId, by: ADMIN_EMAIL });
    checkouts++;
  }
  let incidents = 0;
  const holder = people[3]!;
  if (await findPerson(db, district.id, holder.localId)) {
    const incident = await openIncident(db, district.id, { assetTag: tags[1]!, localId: holder.localId, type: 'damage', description: 'Screen cracked at the top left corner; still works.', by: ADMIN_EMAIL });
    // In repair checks the cracked device in; the loaner keeps the student's device count, and the demo's story, true.
    await updateIncident(db, district.id, incident.id, { status: 'in-repair', note: 'Sent to the repair depot with a loaner issued.', by: ADMIN_EMAIL });
    await checkOut(db, district.id, { assetTag: tags[tags.length - 1]!, localId: holder.localId, by: ADMIN_EMAIL });
    incidents++;
  }
  const everyone = await searchPeople(db, district.id, { limit: 10_000, offset: 0 });
  const withPhoto = (await currentPhotos(db, district.id, everyone.people.map((p) => p.id))).size;
  return {
    slug: SLUG,
    signIn: { email: ADMIN_EMAIL, password: adminPassword },
    sftp: { username: SLUG, password: sftpPassword },
    people: everyone.total,
    photos: withPhoto,
    devices: tags.length,
    checkouts,
    incidents,
  };
}

/** Processes what the demo uploaded with the server's own intake handlers, then stops. */
async function runIntake(services: Services, districtId: number) {
  const handlers = intakeHandlers(services);
  const folders = new Set(handlers.map((h) => h.folder));
  const worker = startIntakeWorker({ db: services.db, log: services.log, handlers, pollMs: 100 });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const pending = (await listEvents(services.db, districtId, 0)).filter((e) => e.outcome === 'received' && folders.has(e.folder));
      if (pending.length === 0) break;
      if (Date.now() > deadline) throw new LanyardError('unavailable', `The intake did not finish the demo's ${pending.length} files within two minutes.`);
      worker.poke();
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await worker.stop();
  }
}

export function registerDemo(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  withDataOptions(program.command('demo'))
    .description('Fill a fresh data folder with a demo district (roster, photos, devices, check-outs, an incident) and print how to sign in.')
    .addOption(jsonOption())
    .action(async (opts: { dataDir?: string; database?: string; json?: boolean }) => {
      const config = loadConfig(opts, env);
      // The demo's roster files are complete when written: no need to wait for them to settle.
      const services = await openServices({ ...config, rosterSettleSeconds: 0, logLevel: 'warn' });
      try {
        const r = await makeDemo(services, (line) => !opts.json && out.stdout(`${line}\n`));
        if (opts.json) {
          out.stdout(`${JSON.stringify(r)}\n`);
          return;
        }
        out.stdout(
          [
            '',
            `Demo district ready: ${r.people} people, ${r.photos} with photos, ${r.devices} devices, ${r.checkouts} checked out, ${r.incidents} incident.`,
            `Start Lanyard:   npx lanyard serve --data-dir ${config.dataDir}${config.databaseUrl ? ' --database <the same URL>' : ''}${config.blobStore.kind === 's3' ? ' --blob-store <the same URL>' : ''}`,
            `Then sign in at  http://localhost:${config.http.port}/login`,
            `  email:    ${r.signIn.email}`,
            `  password: ${r.signIn.password}`,
            `SFTP: username ${r.sftp.username}, password ${r.sftp.password}`,
            '',
          ].join('\n'),
        );
      } finally {
        await services.close();
      }
    });
}
