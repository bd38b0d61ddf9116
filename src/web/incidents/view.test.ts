import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { device, formActions, incident, links, person, PHOTO, visibleText } from '../../../test/web/viewProps.js';
import { incidentListView, incidentView, newIncidentView, type IncidentListProps, type IncidentProps } from './view.js';

describe('the Incidents list', () => {
  const props = (over: Partial<IncidentListProps> = {}): IncidentListProps => ({
    status: '',
    type: '',
    sort: { by: 'opened', dir: 'desc' },
    pageSize: 50,
    incidents: [incident(), incident({ id: 13, personId: 5, deviceId: 99, type: 'loss', status: 'waiting-for-pickup' })],
    total: 2,
    people: new Map([[1, person()]]),
    devices: new Map([[7, device()]]),
    faces: new Map([[1, PHOTO]]),
    pageNo: 1,
    hasNext: false,
    mayOpen: true,
    ...over,
  });

  test('each incident links to itself, its person (with their face) and its device, with readable type and status', () => {
    const out = incidentListView(props()).toString();
    assert.match(visibleText(out), /2 incidents .* #12 Lisa Simpson LT-0100 Damage Open .* #13 Loss Waiting for pickup/);
    for (const href of ['/incidents/12', '/people/004410', '/devices/LT-0100', '/incidents/13', '/incidents/new']) assert.ok(links(out).includes(href), href);
    assert.match(out, /<img [^>]*alt="Lisa Simpson"/);
  });

  test('the filters keep what was chosen and the pager keeps the filters', () => {
    const out = incidentListView(props({ status: 'closed', type: 'theft', hasNext: true }));
    assert.match(out.toString(), /<option value="closed" selected>Closed<\/option>/);
    assert.match(out.toString(), /<option value="theft" selected>Theft<\/option>/);
    assert.ok(links(out).includes('/incidents?status=closed&type=theft&page=2'));
  });

  test('no incidents: yet, or none matching; a viewer is not offered to open one', () => {
    assert.match(visibleText(incidentListView(props({ incidents: [], total: 0 }))), /0 incidents No incidents yet\./);
    assert.match(visibleText(incidentListView(props({ incidents: [], total: 0, status: 'open' }))), /No incidents match these filters\./);
    assert.ok(!links(incidentListView(props({ mayOpen: false }))).includes('/incidents/new'));
    assert.match(visibleText(incidentListView(props({ incidents: [incident()], total: 1 }))), /1 incident /);
  });
});

describe('opening an incident', () => {
  test('the form keeps what was sent and says why it was refused', () => {
    const values = { assetTag: 'NOPE', localId: '004410', type: 'theft', description: 'Left <b>on the bus</b>' };
    const out = newIncidentView({ flash: { error: 'No device has asset tag NOPE.' }, csrf: 'tok', values }).toString();
    assert.deepEqual(formActions(out), ['/incidents']);
    assert.match(out, /name="assetTag" [^>]*value="NOPE"/);
    assert.match(out, /<option value="theft" selected>Theft<\/option>/);
    assert.match(out, />Left &lt;b&gt;on the bus&lt;\/b&gt;<\/textarea>/);
    assert.match(visibleText(out), /^Open an incident No device has asset tag NOPE\./);
  });

  test('from a link, only the device and person are filled in; the type starts at damage', () => {
    const out = newIncidentView({ flash: {}, csrf: 'tok', values: { assetTag: 'LT-0100', localId: '' } }).toString();
    assert.match(out, /<option value="damage" selected>Damage<\/option>/);
    assert.match(out, /name="localId" [^>]*value=""/);
  });
});

describe('an Incident', () => {
  const props = (over: Partial<IncidentProps> = {}): IncidentProps => ({
    flash: {},
    csrf: 'tok',
    incident: incident({ description: 'Cracked <b>screen</b>', status: 'in-repair' }),
    device: device(),
    person: person(),
    photo: PHOTO,
    timeline: [{ id: 1, at: '2026-11-26T09:00:00.000Z', author: 'edna@springfield.k12.us', status: 'in-repair', body: 'Sent to the <shop>' }],
    mayWrite: true,
    ...over,
  });

  test('shows the person\'s face and name, the device, what happened and the timeline', () => {
    const out = incidentView(props()).toString();
    assert.match(out, /<h1>Incident #12: Damage<\/h1>/);
    assert.match(out, /<img class="face face-profile" [^>]*alt="Lisa Simpson"/);
    assert.match(out, /Cracked &lt;b&gt;screen&lt;\/b&gt;/);
    const text = visibleText(out);
    assert.match(text, /Status In repair Type Damage Device LT-0100 Chromebook 3100 Opened 25 Nov 2026, 08:47 UTC by edna@springfield\.k12\.us/);
    assert.match(text, /Opened as damage\. 26 Nov 2026, 09:00 UTC · edna@springfield\.k12\.us Status: In repair Sent to the <shop>/);
    assert.deepEqual(formActions(out), ['/incidents/12/notes']);
    assert.match(out, /<option value="in-repair" selected>In repair<\/option>/);
  });

  test('without a description, device or person it says so; a viewer gets no form', () => {
    const out = incidentView(props({ incident: incident({ description: '' }), device: undefined, person: undefined, photo: undefined, mayWrite: false }));
    assert.match(visibleText(out), /Device — .* Description None given\./);
    assert.doesNotMatch(out.toString(), /<img/);
    assert.deepEqual(formActions(out), []);
  });
});
