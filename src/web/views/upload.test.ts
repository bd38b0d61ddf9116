import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visibleText } from '../../../test/web/viewProps.js';
import { html } from '../html.js';
import { uploadForm, uploadSummary } from './upload.js';

test('an upload\'s summary names what was received and why each refused file was refused', () => {
  assert.deepEqual(uploadSummary({ saved: ['a.jpg'], refused: [] }, 'it shows soon.'), { notice: 'a.jpg was received; it shows soon.', error: undefined });
  assert.deepEqual(uploadSummary({ saved: ['a.jpg', 'b.jpg'], refused: [{ file: 'c.bmp', reason: 'Not a photo.' }] }, 'ok'), {
    notice: '2 files were received; ok',
    error: 'c.bmp: Not a photo.',
  });
  assert.deepEqual(uploadSummary({ saved: [], refused: [] }, 'ok'), { notice: undefined, error: 'No file was chosen.' });
});

test('the upload card is a multipart form that works without JavaScript, token first', () => {
  const card = uploadForm('tok', { id: 'f', title: 'Upload photos', intro: html`Name them <code>1.jpg</code>.`, action: '/photos/upload', label: 'Drop here', accept: '.jpg' });
  const out = card.toString();
  assert.match(out, /<form class="upload" method="post" action="\/photos\/upload" enctype="multipart\/form-data" data-upload>\s*<input type="hidden" name="_csrf" value="tok">/);
  assert.match(out, /<input id="f" name="files" type="file" multiple required accept="\.jpg">/);
  assert.equal(visibleText(out), 'Upload photos Name them 1.jpg. Drop here Upload');
});
