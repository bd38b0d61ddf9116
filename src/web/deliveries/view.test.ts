import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeliveryReport } from '../../deliveries/deliveries.js';
import { links, visibleText } from '../../../test/web/viewProps.js';
import { countsLine, deliveryProblemsCsv, deliveryView } from './view.js';

const AT = '2026-11-25T08:47:00.000Z';
const report = (over: Partial<DeliveryReport> = {}): DeliveryReport => ({
  id: 7,
  source: 'package',
  by: 'retakes.zip',
  startedAt: AT,
  endedAt: AT,
  finishedAt: AT,
  parentId: 6,
  files: 4,
  counts: { linked: 1, unmatched: 1, rejected: 1, flagged: 1, imported: 0, removed: 0, pending: 0 },
  problems: [
    { eventId: 1, folder: 'idphotos', file: 'retakes.zip/<b>100199</b>.jpg', localId: '100199', outcome: 'unmatched', reason: 'Nobody with Local ID 100199 is in the roster yet.', warnings: [] },
    { eventId: 2, folder: 'idphotos', file: 'retakes.zip/004411.jpg', localId: '004411', outcome: 'flagged', reason: 'Check this photo: blurred.', warnings: ['blurred'] },
  ],
  moreProblems: false,
  packages: [],
  fixed: { firstPhotos: 2, replacedFlagged: 1 },
  ...over,
});

describe('a delivery report', () => {
  test('says where it came from, its counts, what it fixed, and each file not simply linked with why', () => {
    const out = deliveryView(report());
    const text = visibleText(out);
    assert.match(text, /Delivery 7 From the package retakes\.zip, started 25 Nov 2026, 08:47 UTC\. Finished 25 Nov 2026, 08:47 UTC/);
    assert.match(text, /4 files: 1 linked · 1 to check · 1 waiting for their person · 1 rejected\./);
    assert.match(text, /Fixed: 2 people got a first photo; 1 flagged photo was replaced by a good one\./);
    assert.match(text, /100199 retakes\.zip\/<b>100199<\/b>\.jpg Waiting for their person Nobody with Local ID 100199/);
    assert.ok(links(out).includes('/deliveries/6'), 'the session the zip came in');
    assert.ok(links(out).includes('/people/004411'), 'a flagged photo links to its person');
    assert.ok(links(out).includes('/deliveries/7/files.csv'));
  });

  test('nothing fixed and nothing wrong are both said plainly', () => {
    const text = visibleText(deliveryView(report({ problems: [], fixed: { firstPhotos: 0, replacedFlagged: 0 } })));
    assert.match(text, /Every file of this delivery is on its person, with nothing to check\./);
    assert.doesNotMatch(text, /Fixed:/);
    assert.equal(countsLine({ linked: 0, unmatched: 0, rejected: 0, flagged: 0, imported: 0, removed: 0, pending: 0 }), 'nothing to report');
  });

  test('the CSV neutralises what a spreadsheet would run', () => {
    const csv = deliveryProblemsCsv([{ eventId: 1, folder: 'idphotos', file: '=HYPERLINK("x").jpg', localId: null, outcome: 'rejected', reason: 'Not a picture.', warnings: [] }]);
    assert.match(csv, /^\uFEFFLocal ID,File,Outcome,Warnings,Reason\r\n,"'=HYPERLINK\(""x""\)\.jpg",rejected,,Not a picture\.\r\n$/);
  });
});
