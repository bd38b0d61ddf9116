import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_ROSTER_SETTINGS, type ImportRecord } from '../../roster/index.js';
import { formActions, links, visibleText } from '../../../test/web/viewProps.js';
import { rostersDeskView, rowErrorsCsv, type RostersDeskProps } from './view.js';

const imported = (over: Partial<ImportRecord>): ImportRecord => ({
  id: 1,
  at: '2026-11-25T08:47:00.000Z',
  file: 'students.csv',
  source: 'sftp',
  format: 'native',
  outcome: 'imported',
  message: 'Imported.',
  rowErrors: [],
  rowWarnings: [],
  held: 0,
  sha256: null,
  created: 40,
  updated: 0,
  unchanged: 0,
  reactivated: 0,
  deactivated: 0,
  errors: 0,
  ...over,
});

describe('the Rosters desk', () => {
  const props = (over: Partial<RostersDeskProps> = {}): RostersDeskProps => ({
    flash: {},
    csrf: 'tok',
    deliveries: [],
    mayManage: true,
    imports: [
      imported({ id: 3, held: 30, message: 'No students were deactivated: 30 of 40 are missing.' }),
      imported({ id: 2, file: 'bad.csv', outcome: 'rejected', message: 'No Local ID column.', format: null }),
      imported({ id: 1, held: 5, rowErrors: [{ line: 3, localId: '1', message: 'line 3: no name' }], errors: 1 }),
    ],
    waiting: [{ id: 9, at: '2026-11-25T09:00:00.000Z', source: 'sftp', folder: 'data', file: 'staff.csv', action: 'upload', outcome: 'received', localId: null, message: '', sha256: null, size: 1 }],
    settings: { ...DEFAULT_ROSTER_SETTINGS, deactivateMissing: { student: true, staff: false }, gradeOverrides: { P3: 'PK', TK: 'K' } },
    dailyAt: '02:30',
    settleSeconds: 30,
    now: new Date('2026-11-25T09:00:12.000Z'),
    ...over,
  });

  test('each import with its outcome and counts; rejected and held-back ones say why', () => {
    const text = visibleText(rostersDeskView(props()));
    assert.match(text, /Waiting to be imported A file is imported once it has sat unchanged for 30 s.* staff\.csv received 25 Nov 2026, 09:00 UTC, imported in 18 s/);
    const later = visibleText(rostersDeskView(props({ now: new Date('2026-11-25T09:00:31.000Z') })));
    assert.match(later, /staff\.csv received 25 Nov 2026, 09:00 UTC, being imported now/);
    assert.match(text, /students\.csv native Imported No students were deactivated: 30 of 40 are missing\. Deactivate them anyway \(30\) 40 0 0 0 0/);
    assert.match(text, /bad\.csv Rejected No Local ID column\./);
  });

  test('only a file\'s newest held-back import offers the override; row errors download as a CSV', () => {
    const out = rostersDeskView(props());
    assert.deepEqual(formActions(out), ['/rosters/upload', '/rosters/imports/3/deactivate', '/rosters/settings']);
    assert.ok(links(out).includes('/rosters/imports/1/errors.csv'));
  });

  test('row errors are listed on the page by line, the first 20 of an import, with the CSV for all; a rejected file has its message instead', () => {
    const many = Array.from({ length: 25 }, (_, n) => ({ line: n + 2, localId: String(n), message: `Line ${n + 2}: no last name; this row was not imported.` }));
    const out = rostersDeskView(props({ imports: [imported({ id: 4, rowErrors: many, errors: 25 }), imported({ id: 2, file: 'bad.csv', outcome: 'rejected', message: 'No Local ID column.', rowErrors: [{ line: 1, localId: null, message: 'No Local ID column.' }] })] }));
    const text = visibleText(out);
    assert.match(text, /Rows left out .* students\.csv, 25 Nov 2026, 08:47 UTC: 25 rows left out \(all 25 as a CSV\) Line 2: no last name; this row was not imported\./);
    assert.match(text, /Line 21: no last name; this row was not imported\. and 5 more in the CSV\./);
    assert.doesNotMatch(text, /Line 22:/);
    assert.ok(links(out).includes('#errors-4'), 'the count in the table leads to the list');
    assert.ok(!links(out).includes('/rosters/imports/2/errors.csv'), 'a rejected file says its problem in the table');
    assert.match(text, /bad\.csv native Rejected No Local ID column\. 40 0 0 0 —/);
  });

  test('values that look wrong in imported rows are listed with the import, as imported as written', () => {
    const rowWarnings = [{ line: 4, localId: '7', message: 'Line 4: the grade "Z9" is not one Lanyard knows; imported as written.' }];
    const text = visibleText(rostersDeskView(props({ imports: [imported({ id: 5, rowWarnings })] })));
    assert.match(text, /students\.csv, 25 Nov 2026, 08:47 UTC: 1 value that looks wrong Line 4: the grade "Z9" is not one Lanyard knows; imported as written\./);
    assert.doesNotMatch(text, /rows? left out \(/);
  });

  test('the settings form shows the district\'s settings', () => {
    const out = rostersDeskView(props()).toString();
    assert.match(out, /name="deactivateStudents" value="1" checked/);
    assert.match(out, /name="deactivateStaff" value="1">/);
    assert.match(out, /P3=PK\nTK=K<\/textarea>/);
    assert.match(out, /name="dailyAt" type="time" value="02:30"/);
    assert.match(out, /userIds:&lt;type&gt;/);
  });

  test('a viewer sees the history only', () => {
    const out = rostersDeskView(props({ mayManage: false }));
    assert.deepEqual(formActions(out), []);
    assert.match(visibleText(rostersDeskView(props({ imports: [] }))), /No imports yet\./);
  });
});

test('an import\'s row errors as a CSV a spreadsheet opens safely', () => {
  const csv = rowErrorsCsv({ rowErrors: [{ line: 4, localId: '=1+1', message: 'Duplicate, see line 2' }] });
  assert.equal(csv, '\ufeffLine,Local ID,Problem\r\n4,\'=1+1,"Duplicate, see line 2"\r\n');
});
