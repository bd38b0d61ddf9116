import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PublicEvent } from '../../intake/events.js';
import { formActions, links, person, visibleText } from '../../../test/web/viewProps.js';
import { missingPhotosCsv, photosDeskView, type PhotosDeskProps } from './view.js';

const event = (over: Partial<PublicEvent>): PublicEvent => ({
  id: 1,
  at: '2026-11-25T08:47:00.000Z',
  source: 'sftp',
  folder: 'idphotos',
  file: '004410.jpg',
  action: 'upload',
  outcome: 'linked',
  localId: '004410',
  message: 'Linked to Lisa Simpson.',
  sha256: 'abc',
  size: 10,
  ...over,
});

describe('the Photos desk', () => {
  const props = (over: Partial<PhotosDeskProps> = {}): PhotosDeskProps => ({
    flash: {},
    csrf: 'tok',
    mayUpload: true,
    deliveries: [],
    coverage: {
      kind: 'counted',
      active: 3,
      withPhoto: 1,
      bySchool: [
        { school: '', active: 1, withPhoto: 0 },
        { school: '101', active: 2, withPhoto: 1 },
      ],
    },
    schoolNames: new Map([['101', 'Springfield Elementary']]),
    missing: [person({ id: 2, localId: '004411', firstName: 'Bart' }), person({ id: 3, localId: '9', firstName: 'Maggie', school: null, grade: null })],
    unmatched: [event({ id: 5, file: '999999.jpg', outcome: 'unmatched', localId: '999999' })],
    outcome: '',
    events: [event({}), event({ id: 2, file: 'x.bmp', source: 'web', outcome: 'rejected', localId: null, message: 'Not a photo <b>.' })],
    ...over,
  });

  test('coverage in all and per school, by the school\'s name', () => {
    const text = visibleText(photosDeskView(props()));
    assert.match(text, /Coverage 1 of 3 active people have a photo \(33%\)\./);
    assert.match(text, /No school 1 0 0% Springfield Elementary 2 1 50%/);
  });

  test('who has no photo yet, each linking to their profile, and the CSV for retake day', () => {
    const out = photosDeskView(props());
    assert.match(visibleText(out), /2 active people have no photo\. Download the list \(CSV\) for retake day Bart Simpson 004411 · 101 · grade 2 Maggie Simpson 9/);
    assert.ok(links(out).includes('/people/004411'));
    assert.ok(links(out).includes('/photos/missing.csv'));
    const more = visibleText(photosDeskView(props({ coverage: { kind: 'counted', active: 30, withPhoto: 0, bySchool: [] } })));
    assert.match(more, /30 active people have no photo\..*and 28 more in the CSV\./);
    const all = visibleText(photosDeskView(props({ coverage: { kind: 'counted', active: 2, withPhoto: 2, bySchool: [] }, missing: [] })));
    assert.match(all, /Everyone active has a photo\./);
  });

  test('a district beyond counting: no per-school table, who has no photo counted up to the limit, the People page named for the rest', () => {
    const beyond = (withoutPhoto: number, moreWithoutPhoto: boolean) =>
      visibleText(photosDeskView(props({ coverage: { kind: 'beyondCount', activeMoreThan: 10_000, withoutPhoto, moreWithoutPhoto } })));
    const text = beyond(10_000, true);
    assert.match(text, /Coverage More than 10,000 active people: too many to count on every visit\. For a school's coverage, filter the People page by school and photo\./);
    assert.doesNotMatch(text, /With photo/);
    assert.match(text, /More than 10,000 active people have no photo\. Download the list \(CSV\) for retake day Bart Simpson .* and more in the CSV\./);
    assert.match(beyond(1234, false), /1234 active people have no photo\..*and 1232 more in the CSV\./);
    assert.match(beyond(0, false), /Everyone active has a photo\./);
  });

  test('photos waiting for their person can be assigned by Local ID; deliveries say what became of each file', () => {
    const out = photosDeskView(props());
    assert.deepEqual(formActions(out), ['/photos/upload', '/photos/assign']);
    assert.match(out.toString(), /<input type="hidden" name="file" value="999999\.jpg">/);
    const text = visibleText(out);
    assert.match(text, /25 Nov 2026, 08:47 UTC 004410\.jpg SFTP Linked to a person 004410 Linked to Lisa Simpson\./);
    assert.match(text, /x\.bmp Browser Rejected Not a photo <b>\./);
    assert.ok(links(out).includes('/people/004410'), 'a linked photo links to its person');
  });

  test('a viewer sees coverage and deliveries, without the upload or the assigning', () => {
    const out = photosDeskView(props({ mayUpload: false, unmatched: [] }));
    assert.deepEqual(formActions(out), []);
    assert.match(visibleText(photosDeskView(props({ events: [] }))), /Nothing yet\. Photos arrive over SFTP in idphotos\/, or from the upload above\./);
  });

  test('the outcome filter keeps its choice', () => {
    assert.match(photosDeskView(props({ outcome: 'rejected' })).toString(), /<option value="rejected" selected>Rejected<\/option>/);
  });
});

test('the retake-day CSV has a byte-order mark, a header, one row per person, and neutralised formulas', () => {
  const csv = missingPhotosCsv([person(), person({ localId: '2', firstName: '=cmd()', email: null, school: null, grade: null })]);
  assert.equal(
    csv,
    '\ufeffLocal ID,First Name,Last Name,Role,School,Grade,Email\r\n004410,Lisa,Simpson,student,101,2,lisa@springfield.k12.us\r\n2,\'=cmd(),Simpson,student,,,\r\n',
  );
});
