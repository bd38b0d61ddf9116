import type { PeopleFilter, PeopleRestriction, PersonRole } from '../../people/people.js';
import { PEOPLE_SORTS } from '../../people/people.js';
import { field } from '../page.js';
import { parseSort, sortParam } from '../views/sort.js';
import type { PeopleFilters } from './view.js';

/** The People list's filters as its URL holds them (the page, its pager and its CSV download read the same). */
export function peopleFiltersOf(query: unknown): PeopleFilters {
  const sort = parseSort(field(query, 'sort'), PEOPLE_SORTS, { by: 'name', dir: 'asc' });
  return {
    q: field(query, 'q'),
    school: field(query, 'school'),
    grade: field(query, 'grade'),
    role: field(query, 'role'),
    // Active people unless asked otherwise: the ones a technician is looking for ('all': both).
    active: field(query, 'active') || 'yes',
    photo: field(query, 'photo'),
    // The default order stays out of the URL, so plain links look as they always did.
    sort: sort.by === 'name' && sort.dir === 'asc' ? '' : sortParam(sort),
  };
}

/** The query the filters ask of the people module; `photoFilter` is the photos module's "has a photo" condition. */
export function peopleFilterOf(f: PeopleFilters, photoFilter: (hasPhoto: boolean) => PeopleRestriction): PeopleFilter {
  return {
    text: f.q || undefined,
    school: f.school || undefined,
    grade: f.grade || undefined,
    role: f.role === 'student' || f.role === 'staff' ? (f.role as PersonRole) : undefined,
    active: f.active === 'yes' ? true : f.active === 'no' ? false : undefined,
    restrict: f.photo === 'yes' || f.photo === 'no' ? photoFilter(f.photo === 'yes') : undefined,
    sort: parseSort(f.sort, PEOPLE_SORTS, { by: 'name', dir: 'asc' }),
  };
}
