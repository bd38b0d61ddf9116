import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkout, device, formActions, incident, links, person, PHOTO, visibleText } from '../../../test/web/viewProps.js';
import { deviceListView, deviceProfileView, type DeviceListProps, type DeviceProfileProps } from './view.js';

describe('the Devices list', () => {
  const out7 = device();
  const free = device({ id: 8, assetTag: 'LT-0101', serialNumber: '', model: 'iPad <b>', state: 'in-repair' });
  const props = (over: Partial<DeviceListProps> = {}): DeviceListProps => ({
    flash: {},
    csrf: 'tok',
    q: '',
    sort: { by: 'assetTag', dir: 'asc' },
    count: { total: 2, more: false },
    pageSize: 50,
    devices: [out7, free],
    out: new Map([[7, checkout()]]),
    people: new Map([[1, person()]]),
    faces: new Map([[1, PHOTO]]),
    pageNo: 1,
    hasNext: false,
    mayAdd: true,
    ...over,
  });

  test('each device links to its profile and says who has it, with their face', () => {
    const out = deviceListView(props()).toString();
    assert.match(visibleText(out), /LT-0100 Chromebook 3100 SN-1 Checked out Lisa Simpson/);
    assert.match(visibleText(out), /LT-0101 iPad <b> In repair/);
    assert.match(out, /iPad &lt;b&gt;/);
    assert.ok(links(out).includes('/devices/LT-0100'));
    assert.ok(links(out).includes('/people/004410'));
    assert.match(out, /<img [^>]*alt="Lisa Simpson"/);
  });

  test('those who may add devices get both forms; others do not', () => {
    assert.deepEqual(formActions(deviceListView(props())), ['/devices', '/devices/bulk']);
    assert.deepEqual(formActions(deviceListView(props({ mayAdd: false }))), []);
  });

  test('a refused add keeps what was typed, escaped, to fix rather than type again', () => {
    const out = deviceListView(props({ flash: { error: 'A device with asset tag LT-1 already exists.' }, values: { assetTag: 'lt-1', model: 'Chromebook "3100"', csv: '' } })).toString();
    assert.match(out, /name="assetTag" required maxlength="64" autocomplete="off" value="lt-1"/);
    assert.match(out, /name="model" maxlength="128" value="Chromebook &quot;3100&quot;"/);
    assert.match(out, /<p class="error" role="alert">A device with asset tag LT-1 already exists\.<\/p>/);
    assert.match(deviceListView(props({ values: { csv: 'LT-9,S9,iPad' } })).toString(), />LT-9,S9,iPad<\/textarea>/);
  });

  test('an empty list says why: nothing matches the search, or there are no devices yet', () => {
    assert.match(visibleText(deviceListView(props({ devices: [], q: 'zzz' }))), /No device matches\./);
    assert.match(visibleText(deviceListView(props({ devices: [] }))), /No devices yet: add the first one below\./);
    assert.match(deviceListView(props({ flash: { notice: '2 devices added.' } })).toString(), /<p class="notice" role="status">2 devices added\.<\/p>/);
  });
});

describe('the Device Profile', () => {
  const lisa = person();
  const bart = person({ id: 2, localId: '004411', firstName: 'Bart' });
  const props = (over: Partial<DeviceProfileProps> = {}): DeviceProfileProps => ({
    flash: {},
    csrf: 'tok',
    device: device(),
    holder: { checkout: checkout(), person: lisa },
    history: [checkout(), checkout({ id: 1, personId: 2, checkedIn: { at: '2026-11-01T09:00:00.000Z', by: 'x' } }), checkout({ id: 0, personId: 99 })],
    incidents: [incident({ personId: 2, type: 'theft' })],
    people: new Map([
      [1, lisa],
      [2, bart],
    ]),
    faces: new Map([[1, PHOTO]]),
    mayCheckOut: true,
    mayOpenIncident: true,
    mayEdit: true,
    caseTwins: [],
    ...over,
  });

  test('shows who has it, their face large, and offers the check-in', () => {
    const out = deviceProfileView(props()).toString();
    assert.match(out, /<h1>Device LT-0100<\/h1>/);
    assert.match(out, /<div class="holder-face"><img class="face face-profile" [^>]*alt="Lisa Simpson"/);
    assert.match(out, /<a href="\/people\/004410">Lisa Simpson<\/a>/);
    assert.match(visibleText(out), /Checked out to Lisa Simpson Local ID 004410 · 101 · grade 2 Since 25 Nov 2026, 08:47 UTC/);
    assert.deepEqual(formActions(out), ['/desk/checkin', '/devices/LT-0100']);
    assert.ok(links(out).includes('/devices/LT-0100/retire'), 'retiring asks first, on its own page');
    assert.ok(links(out).includes('/incidents/new?assetTag=LT-0100&localId=004410'));
    assert.ok(links(out).some((l) => /^\/checkouts\/\d+\/receipt$/.test(l)), 'the current check-out and the history link their receipts');
    assert.ok(links(out).includes('/devices/LT-0100/history.csv'));
    assert.match(out, /<option value="available" selected>Checked out to Lisa Simpson \(check it in at the desk\)<\/option>/, 'the edit form does not call it Available');
  });

  test('in stock: nobody has it, and the desk link is offered only for an available device', () => {
    assert.match(deviceProfileView(props({ holder: undefined })).toString(), /<option value="available" selected>Available<\/option>/);
    const free = visibleText(deviceProfileView(props({ holder: undefined })));
    assert.match(free, /Nobody: the device is in stock\. Check out at the desk/);
    assert.ok(links(deviceProfileView(props({ holder: undefined }))).includes('/desk?assetTag=LT-0100'));
    const repair = deviceProfileView(props({ holder: undefined, device: device({ state: 'in-repair' }) }));
    assert.doesNotMatch(visibleText(repair), /Check out at the desk/);
    assert.match(visibleText(repair), /Status In repair/);
  });

  test('the history and incidents show each person (unknown ones as such) and the edit form keeps the values', () => {
    const out = deviceProfileView(props()).toString();
    assert.match(visibleText(out), /Bart Simpson 25 Nov 2026, 08:47 UTC 1 Nov 2026, 09:00 UTC/);
    assert.match(visibleText(out), /Unknown 25 Nov 2026, 08:47 UTC Still out/);
    assert.match(visibleText(out), /#12 Bart Simpson Theft Open/);
    assert.match(out, /<option value="available" selected>Checked out to Lisa Simpson/);
    assert.match(out, /name="serialNumber" value="SN-1"/);
  });

  test('a viewer sees the device but no forms; a retired device offers no retiring', () => {
    const viewer = deviceProfileView(props({ mayCheckOut: false, mayOpenIncident: false, mayEdit: false }));
    assert.deepEqual(formActions(viewer), []);
    assert.doesNotMatch(viewer.toString(), /Open an incident/);
    const retired = deviceProfileView(props({ holder: undefined, device: device({ state: 'retired' }) }));
    assert.deepEqual(formActions(retired), ['/devices/LT-0100']);
    assert.ok(!links(retired).includes('/devices/LT-0100/retire'));
  });
});

describe('a device kept with a case twin from before tags were case-blind', () => {
  const props = (over: Partial<DeviceProfileProps>): DeviceProfileProps => ({
    flash: {},
    csrf: 'tok',
    device: device(),
    holder: undefined,
    history: [],
    incidents: [],
    people: new Map(),
    faces: new Map(),
    mayCheckOut: true,
    mayOpenIncident: true,
    mayEdit: true,
    caseTwins: [],
    ...over,
  });

  test('says nothing when there is no twin', () => {
    assert.doesNotMatch(visibleText(deviceProfileView(props({}))), /letter case/);
  });

  test('the flagged record says which device a typed tag finds and what to do', () => {
    const text = visibleText(deviceProfileView(props({ device: device({ assetTag: 'lt-0100', caseTwin: true }), caseTwins: [device({ id: 3 })] })));
    assert.match(text, /this device and LT-0100 were added as different devices/);
    assert.match(text, /finds LT-0100 \(not this record; it opens only by its exact tag\)/);
    assert.match(text, /retire the record with no history/);
  });
});
