import assert from 'node:assert/strict';
import { test } from 'node:test';
import { links, PHOTO, visibleText } from '../../../test/web/viewProps.js';
import { html } from '../html.js';
import { confirmView } from './confirm.js';
import { flashBlock } from './flash.js';
import { activeOrTag, idSchoolGrade, schoolName, timeEl, when } from './format.js';
import { filterSelect, option, optionsOf, postForm } from './forms.js';
import { DEVICE_STATE_LABELS } from './labels.js';
import { deskHref, deviceHref, incidentLink, nameLink, newIncidentHref, personHref, personLink } from './links.js';
import { pager } from './pager.js';
import { checkedInCell, headRow, hiddenLabel, row } from './table.js';

test('the pager keeps the other filters, leaves out empty ones, and says nothing on a single page', () => {
  assert.equal(pager('/people', { q: 'ann', school: '' }, 1, false).toString(), '');
  const first = pager('/people', { q: 'ann lee', school: '' }, 1, true);
  assert.deepEqual(links(first), ['/people?q=ann+lee&page=2']);
  assert.match(first.toString(), /<span>Page 1<\/span><a href="[^"]+" rel="next">Next →<\/a>/);
  const middle = pager('/people', { q: 'ann' }, 2, true);
  assert.deepEqual(links(middle), ['/people?q=ann', '/people?q=ann&page=3']);
});

test('a flash shows the notice as a status and the error as an alert, each only when there is one', () => {
  assert.equal(flashBlock({}).toString(), '');
  assert.equal(flashBlock({ notice: 'Saved <ok>.' }).toString(), '<p class="notice" role="status">Saved &lt;ok&gt;.</p>');
  assert.equal(flashBlock({ error: 'No.' }).toString(), '<p class="error" role="alert">No.</p>');
});

test('a confirmation says what will happen, posts Confirm with the CSRF token and its fields, and Cancel is a link back', () => {
  const out = confirmView({
    title: 'Remove this SSH key?',
    consequences: html`The key <code>SHA256:k</code> will no longer log in.`,
    action: '/settings/ssh-keys/remove',
    fields: html`<input type="hidden" name="fingerprint" value="SHA256:k">`,
    confirmLabel: 'Remove the key',
    cancelHref: '/settings',
    csrf: 'tok',
  }).toString();
  assert.match(visibleText(out), /Remove this SSH key\? The key SHA256:k will no longer log in\. Remove the key Cancel/);
  assert.match(out, /<form class="stack" method="post" action="\/settings\/ssh-keys\/remove"><input type="hidden" name="_csrf" value="tok"><input type="hidden" name="fingerprint" value="SHA256:k">/);
  assert.match(out, /<button type="submit" class="danger">Remove the key<\/button>/);
  assert.deepEqual(links(out), ['/settings']);
  assert.doesNotMatch(out, /autofocus/, 'nothing is focused on arrival, so a habitual Enter does nothing');
});

test('a secret is shown once with a Copy button the script reveals, and the note that it will not be shown again', () => {
  const out = flashBlock({ notice: 'Done.', secret: { label: 'API token 3', value: 'lny_<x>' } }).toString();
  assert.match(out, /<code class="big" id="secret-value">lny_&lt;x&gt;<\/code>/);
  assert.match(out, /<button type="button" class="secondary copy" data-copy="secret-value" hidden>Copy<\/button>/);
  assert.match(visibleText(out), /Copy it now: it will not be shown again\. Lanyard keeps only a scrambled form\./);
});

test('links to a person, a device and an incident are built from what identifies them, encoded', () => {
  assert.equal(personHref({ localId: 'A/1 2' }), '/people/A%2F1%202');
  assert.equal(deviceHref({ assetTag: 'LT#1' }), '/devices/LT%231');
  assert.equal(incidentLink({ id: 4 }).toString(), '<a href="/incidents/4">#4</a>');
  assert.equal(deskHref({ assetTag: 'LT 1' }), '/desk?assetTag=LT%201');
  assert.equal(deskHref({ assetTag: 'LT-1' }, { localId: '00&1' }), '/desk?assetTag=LT-1&person=00%261');
  assert.equal(newIncidentHref({}), '/incidents/new');
  assert.equal(newIncidentHref({ assetTag: 'LT-1', localId: '004410' }), '/incidents/new?assetTag=LT-1&localId=004410');
  assert.equal(newIncidentHref({ localId: '004410' }), '/incidents/new?localId=004410');
  const p = { localId: '7', firstName: 'Bart', lastName: '<b>Simpson</b>' };
  assert.equal(nameLink(p).toString(), '<a href="/people/7">Bart &lt;b&gt;Simpson&lt;/b&gt;</a>');
  const withFace = personLink(p, PHOTO).toString();
  assert.match(withFace, /^<a class="who" href="\/people\/7"><img [^>]*alt="Bart &lt;b&gt;Simpson&lt;\/b&gt;"[^>]*loading="lazy"/);
  assert.doesNotMatch(personLink(p, undefined).toString(), /<img/);
});

test('times say their zone (UTC, as sent), with the machine-readable time kept', () => {
  assert.equal(when('2026-11-25T08:47:59.000Z'), '25 Nov 2026, 08:47 UTC');
  assert.equal(when('not a time'), 'not a time');
  assert.equal(timeEl('2026-01-02T03:04:00.000Z').toString(), '<time datetime="2026-01-02T03:04:00.000Z">2 Jan 2026, 03:04 UTC</time>');
});

test('a person\'s details read as people say them', () => {
  assert.equal(idSchoolGrade({ localId: '004410', school: '101', grade: '2' }), '004410 · 101 · grade 2');
  assert.equal(idSchoolGrade({ localId: '004410', school: null, grade: null }), '004410');
  const names = new Map([['101', 'Springfield Elementary'], ['201', null]]);
  assert.equal(schoolName(names, '101'), 'Springfield Elementary');
  assert.equal(schoolName(names, '201'), '201', 'a school without a name shows its code');
  assert.equal(schoolName(names, null), '');
  assert.equal(activeOrTag(true), 'Active');
  assert.equal(activeOrTag(false).toString(), '<span class="tag">Inactive</span>');
});

test('form parts: the current choice is selected, label records keep their order, POST forms carry the token first', () => {
  assert.equal(option('a', 'A & B', 'a').toString(), '<option value="a" selected>A &amp; B</option>');
  assert.equal(option('a', 'A', 'b').toString(), '<option value="a">A</option>');
  const states = optionsOf(DEVICE_STATE_LABELS, 'lost').join('');
  assert.equal(visibleText(states), 'Available In repair Lost Retired');
  assert.match(states, /<option value="lost" selected>Lost<\/option>/);
  assert.match(filterSelect('role', 'Role', [option('', 'Everyone', '')]).toString(), /<label for="role">Role<\/label><select id="role" name="role">/);
  assert.equal(
    postForm('/x', 't"k', html`<button>Go</button>`, 'inline').toString(),
    '<form class="inline" method="post" action="/x"><input type="hidden" name="_csrf" value="t&quot;k"><button>Go</button></form>',
  );
});

test('table parts: headers, cells and whether a device came back', () => {
  assert.equal(headRow('Name', hiddenLabel('Photo')).toString(), '<thead><tr><th scope="col">Name</th><th scope="col"><span class="visually-hidden">Photo</span></th></tr></thead>');
  assert.equal(row('a<b', 2, null).toString(), '<tr><td>a&lt;b</td><td>2</td><td></td></tr>');
  assert.equal(visibleText(checkedInCell({ checkedIn: null })), 'Still out');
  assert.equal(visibleText(checkedInCell({ checkedIn: { at: '2026-11-25T08:47:00.000Z' } })), '25 Nov 2026, 08:47 UTC');
});
