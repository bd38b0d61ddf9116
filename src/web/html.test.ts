import assert from 'node:assert/strict';
import { test } from 'node:test';
import { html, raw } from './html.js';

test('names with markup render as text, nested templates and lists render as markup', () => {
  const name = `<script>alert("x")</script> O'Brien & Co`;
  const items = ['a<b', 'c'].map((s) => html`<li>${s}</li>`);
  const out = html`<p title="${name}">${name}</p><ul>${items}</ul>${raw('<hr>')}${null}${false}${0}`.toString();
  assert.equal(
    out,
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co</p><ul><li>a&lt;b</li><li>c</li></ul><hr>0',
  );
});
