import type { Command } from 'commander';
import { getDistrict } from '../districts/districts.js';
import { findPerson, fullName } from '../people/people.js';
import { currentPhotos } from '../photos/current.js';
import { revertPhoto } from '../photos/versions.js';
import { LanyardError } from '../shared/errors.js';
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
}
