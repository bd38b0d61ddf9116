import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkout, device, formActions, incident, links, person, PHOTO, visibleText } from '../../../test/web/viewProps.js';
import { peopleListView, profileView, type PeopleListProps, type ProfileProps } from './view.js';

const NO_FILTERS = { q: '', school: '', grade: '', role: '', active: '', photo: '', sort: '' };

describe('the People list', () => {
  const lisa = person();
  const bart = person({ id: 2, localId: '004411', firstName: 'Bart', email: null, grade: '4' });
  const odd = person({ id: 3, localId: '004412', firstName: '<script>alert(1)</script>', lastName: 'Jones', active: false, school: null, grade: '4', email: null });
  const props = (over: Partial<PeopleListProps> = {}): PeopleListProps => ({
    filters: NO_FILTERS,
    facets: { schools: ['101', '201'], grades: ['2', '4'] },
    schoolNames: new Map([['101', 'Springfield Elementary']]),
    people: [lisa, bart, odd],
    total: 3,
    more: false,
    faces: new Map([[2, PHOTO]]),
    pageNo: 1,
    pageSize: 100,
    hasNext: false,
    ...over,
  });

  test('lists each person with a link to their profile, their school by name, and a face only where there is a photo', () => {
    const out = peopleListView(props()).toString();
    assert.match(visibleText(out), /3 people .* Lisa Simpson lisa@springfield\.k12\.us 004410 Springfield Elementary 2 Student Active/);
    assert.deepEqual(
      links(out).filter((l) => l.startsWith('/people/')),
      ['/people/004410', '/people/004411', '/people/004412'],
    );
    assert.match(out, /<img class="face face-thumb" src="\/api\/v1\/photos\/k1\?size=thumb" alt="Bart Simpson"[^>]*loading="lazy"/);
    assert.doesNotMatch(out, /<img[^>]*alt="Lisa Simpson"/, 'no photo, no img');
    assert.match(out, /aria-hidden="true">LS<\/span>/);
  });

  test('a district too large to count on every page says "more than" and asks for a filter', () => {
    const out = visibleText(peopleListView(props({ total: 10_000, more: true, hasNext: true })).toString());
    assert.match(out, /More than 10,000 people: add a filter or search to narrow them \(showing 1–3\)/);
  });

  test('a name with markup is shown as text, and an inactive person is tagged', () => {
    const out = peopleListView(props()).toString();
    assert.match(out, /&lt;script&gt;alert\(1\)&lt;\/script&gt; Jones/);
    assert.doesNotMatch(out, /<script>alert/);
    assert.match(visibleText(out), /<script>alert\(1\)<\/script> Jones 004412 4 Student Inactive/);
  });

  test('the filters show what was chosen, offer the district\'s schools by name, and the pager keeps them', () => {
    const out = peopleListView(props({ filters: { ...NO_FILTERS, school: '101', photo: 'no' }, pageNo: 1, hasNext: true })).toString();
    assert.match(out, /<option value="101" selected>Springfield Elementary<\/option><option value="201">201<\/option>/);
    assert.match(out, /<option value="no" selected>No photo yet<\/option>/);
    assert.ok(links(out).includes('/people?school=101&photo=no&page=2'));
  });

  test('one match is "1 person"; none says how to find someone', () => {
    assert.match(visibleText(peopleListView(props({ people: [lisa], total: 1 }))), /1 person/);
    const none = visibleText(peopleListView(props({ people: [], total: 0 })));
    assert.match(none, /0 people No one matches\. Try part of a name, or clear the filters\./);
  });
});

describe('the User Profile', () => {
  const lisa = person();
  const versions = [
    { id: 9, urlKey: 'new', file: '004410.jpg', createdAt: '2026-11-26T10:00:00.000Z', matchRule: 'exact', shownNow: false, thumb: '/t/new', warnings: [] },
    { id: 8, urlKey: 'old', file: '4410.png', createdAt: '2026-11-25T10:00:00.000Z', matchRule: 'loose', shownNow: true, thumb: '/t/old', warnings: [] },
  ];
  const props = (over: Partial<ProfileProps> = {}): ProfileProps => ({
    flash: {},
    csrf: 'tok',
    person: lisa,
    photo: PHOTO,
    schoolNames: new Map([['101', 'Springfield Elementary']]),
    versions,
    checkouts: [checkout(), checkout({ id: 2, deviceId: 8, checkedIn: { at: '2026-11-20T08:00:00.000Z', by: 'x' } })],
    incidents: [incident({ status: 'in-repair' })],
    devices: new Map([
      [7, device()],
      [8, device({ id: 8, assetTag: 'LT-0200', model: 'iPad' })],
    ]),
    mayChangePhoto: true,
    mayOpenIncident: true,
    ...over,
  });

  test('shows the person, their photo with their name as alt, and their facts', () => {
    const out = profileView(props()).toString();
    assert.match(out, /<h1>Lisa Simpson<\/h1>/);
    assert.match(out, /<img class="face face-profile" src="\/api\/v1\/photos\/k1\?size=profile" alt="Lisa Simpson"/);
    assert.match(out, /<dt>School<\/dt><dd>Springfield Elementary<\/dd>/);
    assert.match(visibleText(out), /Photo On file \(2 versions kept\)/);
  });

  test('without a photo: initials and "No photo yet", no img with their name', () => {
    const out = profileView(props({ photo: undefined, versions: [] })).toString();
    assert.match(out, /class="face face-profile face-none" aria-hidden="true">LS</);
    assert.doesNotMatch(out, /<img[^>]*alt="Lisa Simpson"/);
    assert.match(visibleText(out), /Photo No photo yet/);
    assert.doesNotMatch(out, /Photo history/);
  });

  test('the photo history lists every version with where it came from; an admin may show any other one again', () => {
    const out = profileView(props()).toString();
    assert.match(out, /<li>\s*<img class="face face-thumb" src="\/t\/new" alt="Photo of Lisa Simpson from 004410\.jpg"/);
    assert.match(out, /<li class="shown-now">\s*<img class="face face-thumb" src="\/t\/old" alt="Photo of Lisa Simpson from 4410\.png"/);
    assert.match(visibleText(out), /4410\.png 25 Nov 2026, 10:00 UTC Shown now/);
    assert.deepEqual(formActions(out), ['/people/004410/photo/revert', '/people/004410/photo/show']);
    assert.match(out, /name="version" value="9"/);
    const viewer = profileView(props({ mayChangePhoto: false, mayOpenIncident: false })).toString();
    assert.deepEqual(formActions(viewer), [], 'a viewer sees the history but cannot change it');
    assert.doesNotMatch(viewer, /Open an incident/);
  });

  test('devices out now, the check-out history and incidents link to each device and incident', () => {
    const out = profileView(props()).toString();
    assert.match(visibleText(out), /Devices checked out now LT-0100 Chromebook 3100 since 25 Nov 2026, 08:47 UTC/);
    assert.match(visibleText(out), /LT-0200 25 Nov 2026, 08:47 UTC 20 Nov 2026, 08:00 UTC/);
    assert.match(visibleText(out), /LT-0100 25 Nov 2026, 08:47 UTC Still out/);
    assert.match(visibleText(out), /#12 LT-0100 Damage In repair/);
    assert.ok(links(out).includes('/devices/LT-0200'));
    assert.ok(links(out).includes('/incidents/12'));
    assert.ok(links(out).includes('/incidents/new?localId=004410'));
  });

  test("the photo shown carries what the quality checks found; an earlier version's warnings are not said", () => {
    const flagged = versions.map((v) => ({ ...v, warnings: v.shownNow ? (['blurred', 'same-as-another'] as const).slice() : (['too-dark'] as const).slice() }));
    const text = visibleText(profileView(props({ versions: flagged })));
    assert.match(text, /Blurred blurred or out of focus: retake it/);
    assert.match(text, /Same as another person's the same picture as another person's photo: the file may carry the wrong Local ID/);
    assert.doesNotMatch(text, /Too dark/);
    assert.doesNotMatch(visibleText(profileView(props())), /retake it/);
  });

  test('a flash is shown above the profile', () => {
    const out = profileView(props({ flash: { error: 'Lisa Simpson has no earlier photo to go back to.' } })).toString();
    assert.match(out, /^<p class="error" role="alert">Lisa Simpson has no earlier photo to go back to\.<\/p><div class="profile">/);
  });
});
