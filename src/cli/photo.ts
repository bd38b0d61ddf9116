import type { Command } from 'commander';
import { getDistrict } from '../districts/districts.js';
import { findPerson, fullName } from '../people/people.js';
import { currentPhotos } from '../photos/current.js';
import { reasonText, retakeCsv, retakeList, type RetakeEntry } from '../photos/retakes.js';
import { revertPhoto } from '../photos/versions.js';
import { listSchools } from '../roster/index.js';
import { LanyardError } from '../shared/errors.js';
import { Option } from 'commander';
import { jsonOption, withDataOptions } from './options.js';
import type { Output } from './output.js';
import { withServices } from './withServices.js';

export function registerPhotoCommands(program: Command, out: Output, env: NodeJS.ProcessEnv) {
  const photo = program.command('photo').description("People's photos.");
  withDataOptions(photo.command('revert <slug> <localId>'))
    .description("Show a person's previous photo again (the one before the current one; after a removal, the last one).")
    .addOption(jsonOption())
    .action(async (slug: string, localId: string, opts) => {
      const result = await withServices(opts, env, async (s) => {
        const district = await getDistrict(s.db, slug);
        const person = await findPerson(s.db, district.id, localId);
        if (!person) throw new LanyardError('not-found', `Nobody with Local ID ${localId} is in ${slug}'s roster.`);
        const version = await revertPhoto(s.db, district.id, person.id);
        if (!version) throw new LanyardError('conflict', `${fullName(person)} (${localId}) has no earlier photo to go back to.`);
        const ref = (await currentPhotos(s.db, district.id, [person.id])).get(person.id) ?? null;
        return { person, version, ref };
      });
      const { person, version, ref } = result;
      if (opts.json) {
        return out.stdout(`${JSON.stringify({ localId: person.localId, photo: ref, file: version.file, deliveredAt: version.created_at })}\n`);
      }
      out.stdout(`${fullName(person)} (${person.localId}) shows the photo from "${version.file}" delivered ${version.created_at} again.\n`);
    });

  withDataOptions(photo.command('retake-list <slug>'))
    .description('Every active person who needs a (new) photo: no photo, a photo with a quality warning, or one delivered before --before.')
    .addOption(new Option('--csv', "print the photographers' CSV (Local ID, names, grade, school)"))
    .addOption(new Option('--school <code>', "only this school (the roster's school code)"))
    .addOption(new Option('--before <YYYY-MM-DD>', 'photos delivered before this day need a retake too'))
    .addOption(jsonOption())
    .action(async (slug: string, opts) => {
      const { entries, schoolNames } = await withServices(opts, env, async (s) => {
        const district = await getDistrict(s.db, slug);
        const entries: RetakeEntry[] = [];
        for await (const e of retakeList(s.db, district.id, { school: opts.school, takenBefore: opts.before })) entries.push(e);
        const schools = await listSchools(s.db, district.id);
        return { entries, schoolNames: new Map(schools.map((x) => [x.code, x.name])) };
      });
      if (opts.csv) return out.stdout(retakeCsv(entries, schoolNames));
      if (opts.json) {
        const people = entries.map((e) => ({
          localId: e.person.localId,
          firstName: e.person.firstName,
          lastName: e.person.lastName,
          grade: e.person.grade,
          school: e.person.school,
          reasons: e.reasons.map(reasonText),
        }));
        return out.stdout(`${JSON.stringify({ people })}\n`);
      }
      if (entries.length === 0) return out.stdout(`Everyone active in ${slug} has a good photo.\n`);
      for (const e of entries) out.stdout(`${e.person.localId}\t${fullName(e.person)}\t${e.person.school ?? ''}\t${e.person.grade ?? ''}\t${e.reasons.map(reasonText).join('; ')}\n`);
    });
}
