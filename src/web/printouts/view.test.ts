import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkout, device, incident, person, PHOTO, visibleText } from '../../../test/web/viewProps.js';
import { damageFormView, receiptView } from './view.js';

const schools = new Map([['101', 'Springfield Elementary']]);

describe('the printouts', () => {
  test('a receipt names the device and the person (their face, their school by name), when and by whom, with lines to sign', () => {
    const out = receiptView({ districtName: 'Springfield', receipt: { checkout: checkout(), device: device(), person: person() }, photo: PHOTO, schools }).toString();
    const text = visibleText(out);
    assert.match(text, /Device check-out receipt Springfield · receipt no\. \d+/);
    assert.match(text, /Asset tag LT-0100 Model Chromebook 3100 Serial number SN-1/);
    assert.match(text, /Name Lisa Simpson Local ID 004410 Role Student School Springfield Elementary Grade 2/);
    assert.match(text, /Checked out 25 Nov 2026, 08:47/);
    assert.match(text, /Signature of the student or parent Date Signature of staff/);
    assert.match(out, /<img [^>]*alt="Lisa Simpson"/);
    assert.match(out, /<button type="button" data-print>Print<\/button>/);
    assert.match(out, /<script src="\/assets\/print\.js" defer><\/script>/);
  });

  test('a damage form holds the incident, its device and person, and warns when they did not hold it', () => {
    const form = { incident: incident({ description: 'Cracked <screen>' }), device: device(), person: person(), heldBy: person({ id: 2, firstName: 'Bart', localId: '004411' }) };
    const out = damageFormView({ districtName: 'Springfield', form, photo: undefined, schools }).toString();
    const text = visibleText(out);
    assert.match(text, /Damage form: incident #\d+/);
    assert.match(text, /Lisa Simpson did not hold this device when the incident was opened: Bart Simpson \(004411\) had it checked out/);
    assert.match(out, /Cracked &lt;screen&gt;/);
    assert.match(text, /LT-0100/);
    assert.doesNotMatch(out, /<img [^>]*alt="Lisa Simpson"/, 'no photo, no img');
    const held = visibleText(damageFormView({ districtName: 'Springfield', form: { ...form, heldBy: undefined }, photo: undefined, schools }));
    assert.doesNotMatch(held, /did not hold/);
  });
});
