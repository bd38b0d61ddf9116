import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkout, device, formActions, incident, links, person, PHOTO, visibleText } from '../../../test/web/viewProps.js';
import { deskView, type DeskProps } from './view.js';

const EMPTY = { rows: [], people: new Map(), devices: new Map(), faces: new Map() };
const props = (over: Partial<DeskProps>): DeskProps => ({ flash: {}, csrf: 'tok', done: undefined, undone: undefined, focus: 'out', step: { step: 'tag', value: '' }, recent: EMPTY, ...over });

describe('the check-out desk', () => {
  test('step 1 asks for the asset tag (focused for the scanner) and offers the check-in', () => {
    const out = deskView(props({ step: { step: 'tag', value: 'NOPE' }, flash: { error: 'No device has asset tag NOPE.' } })).toString();
    assert.match(out, /<input id="assetTag" name="assetTag" [^>]*value="NOPE" autofocus data-autofocus>/);
    assert.match(out, /<p class="error" role="alert">No device has asset tag NOPE\.<\/p>/);
    assert.deepEqual(formActions(out), ['/desk/checkin']);
    assert.match(out, /<script src="\/assets\/desk\.js" defer><\/script>/);
  });

  test('step 2 asks who, and when several people match shows each with a link that picks them', () => {
    const lisa = person();
    const bart = person({ id: 2, localId: '004411', firstName: 'Bart', school: null, grade: '4' });
    const step = { step: 'person' as const, device: device(), value: 'Simpson', candidates: { people: [lisa, bart], faces: new Map([[2, PHOTO]]), total: 2, more: false }, incidents: [] };
    const out = deskView(props({ step })).toString();
    assert.doesNotMatch(visibleText(out), /type more/);
    assert.match(visibleText(out), /Check out LT-0100 Chromebook 3100 Scan the ID card, or type a Local ID, email or name/);
    assert.match(out, /value="Simpson" autofocus/);
    assert.match(out, /href="\/desk\?assetTag=LT-0100&amp;person=004410"/);
    assert.ok(links(out).includes('/desk?assetTag=LT-0100&person=004411'));
    assert.match(visibleText(out), /Who is it\? Lisa Simpson 004410 · 101 · grade 2 Bart Simpson 004411 · grade 4/);
    assert.match(out, /<img [^>]*alt="Bart Simpson"/);
  });

  test('a cut pick list says how many match in all and to type more', () => {
    const lisa = person();
    const cut = (total: number, more: boolean) => ({ step: 'person' as const, device: device(), value: 'S', candidates: { people: [lisa], faces: new Map(), total, more }, incidents: [] });
    assert.match(visibleText(deskView(props({ step: cut(159, false) }))), /Who is it\? 1 of 159, type more of the name or the Local ID\./);
    assert.match(visibleText(deskView(props({ step: cut(10000, true) }))), /1 of more than 10,000, type more/);
  });

  test('step 3 shows the face large to compare, and confirming posts the tag and the Local ID', () => {
    const out = deskView(props({ step: { step: 'confirm', device: device(), person: person(), photo: PHOTO, incidents: [] } })).toString();
    assert.match(out, /<img class="face face-desk" src="\/api\/v1\/photos\/k1\?size=profile" alt="Lisa Simpson" width="320" height="400">/);
    assert.match(out, /<p class="big">Lisa Simpson<\/p>/);
    assert.deepEqual(formActions(out), ['/desk/checkout']);
    assert.match(out, /name="assetTag" value="LT-0100"><input type="hidden" name="localId" value="004410">/);
    assert.match(visibleText(out), /Confirm check-out Not them/);
  });

  test('without a photo the desk says to check their ID another way; an inactive person cannot be confirmed', () => {
    const noPhoto = visibleText(deskView(props({ step: { step: 'confirm', device: device(), person: person(), photo: undefined, incidents: [] } })));
    assert.match(noPhoto, /No photo on file: check their ID another way\./);
    const inactive = deskView(props({ step: { step: 'confirm', device: device(), person: person({ active: false }), photo: PHOTO, incidents: [] } }));
    assert.match(visibleText(inactive), /Lisa Simpson is inactive in the roster: devices go only to active students and staff\. Someone else/);
    assert.doesNotMatch(inactive.toString(), /Confirm check-out/);
  });

  test('a device that is out shows who has it and offers to check it in', () => {
    const step = { step: 'holder' as const, device: device(), holder: { checkout: checkout(), person: person() }, photo: undefined, incidents: [] };
    const out = deskView(props({ step })).toString();
    assert.match(out, /<a href="\/devices\/LT-0100">LT-0100<\/a> is checked out/);
    assert.match(visibleText(out), /Lisa Simpson Local ID 004410 Since 25 Nov 2026, 08:47 UTC Check it in Cancel/);
    assert.deepEqual(formActions(out), ['/desk/checkin'], 'the check-in of this device, nothing else to scan');
  });

  test('after saving it says what happened, and the recent list shows device, person and times', () => {
    const recent = { rows: [checkout()], people: new Map([[1, person()]]), devices: new Map([[7, device()]]), faces: new Map() };
    const action = { kind: 'checkout' as const, checkout: checkout(), device: device(), person: person() };
    const out = deskView(props({ done: { action, undoSeconds: 42, incidents: [] }, recent }));
    assert.match(visibleText(out), /LT-0100 is checked out to Lisa Simpson\. Scan the next device\. Undo/);
    assert.match(visibleText(out), /Recent at the desk Device Person Out In LT-0100 Lisa Simpson 25 Nov 2026, 08:47 UTC$/);
    const back = deskView(props({ done: { action: { ...action, kind: 'checkin' }, undoSeconds: undefined, incidents: [] }, focus: 'in' }));
    assert.match(visibleText(back), /LT-0100 is checked in from Lisa Simpson\./);
    assert.doesNotMatch(back.toString(), /Recent at the desk/, 'nothing recent, no card');
    assert.doesNotMatch(visibleText(back), /Undo/, 'past its minute, no Undo');
    assert.match(back.toString(), /<input id="checkin-tag" [^>]*autofocus data-autofocus>/);
  });

  test('Undo is a POST with the CSRF token naming the action by its id, and the minute it has left', () => {
    const action = { kind: 'checkout' as const, checkout: checkout({ id: 31 }), device: device(), person: person() };
    const out = deskView(props({ done: { action, undoSeconds: 42.2, incidents: [] } })).toString();
    assert.match(out, /<form class="undo" method="post" action="\/desk\/undo" data-undo-seconds="43"><input type="hidden" name="_csrf" value="tok"><input type="hidden" name="action" value="checkout:31">/);
    const undone = deskView(props({ undone: action }));
    assert.match(visibleText(undone), /Undone: LT-0100 was not checked out to Lisa Simpson and is available again\./);
    const reopened = deskView(props({ undone: { ...action, kind: 'checkin' }, focus: 'in' }));
    assert.match(visibleText(reopened), /Undone: LT-0100 is checked out to Lisa Simpson again, as before the check-in\./);
  });

  test("a device's open incidents are named, with a link, before it is confirmed, at its return and in a refusal", () => {
    const i = incident({ id: 12, status: 'in-repair', description: 'Screen cracked\nsent to the shop' });
    const confirm = deskView(props({ step: { step: 'confirm', device: device(), person: person(), photo: PHOTO, incidents: [i] } }));
    assert.match(visibleText(confirm), /LT-0100 has an open incident: Screen cracked, In repair \(opened 25 Nov( 2026)?\) /);
    assert.ok(links(confirm.toString()).includes('/incidents/12'));
    assert.match(visibleText(confirm), /Confirm check-out/, 'a warning, not a refusal');
    const two = deskView(props({ step: { step: 'holder', device: device(), holder: { checkout: checkout(), person: person() }, photo: undefined, incidents: [i, incident({ id: 13, description: '' })] } }));
    assert.match(visibleText(two), /LT-0100 has 2 open incidents: Screen cracked, In repair \(opened [^)]*\) Damage, Open \(opened [^)]*\)/);
    const refused = deskView(props({ step: { step: 'tag', value: '', refused: { device: device({ state: 'in-repair' }), incidents: [i] } } }));
    assert.ok(links(refused.toString()).includes('/incidents/12'));
    const back = deskView(props({ done: { action: { kind: 'checkin', checkout: checkout(), device: device(), person: person() }, undoSeconds: 10, incidents: [i] } }));
    assert.match(visibleText(back), /LT-0100 is checked in from Lisa Simpson\. Undo LT-0100 has an open incident: Screen cracked/);
  });
});
