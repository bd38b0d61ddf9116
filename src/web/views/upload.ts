import { html, type Html } from '../html.js';
import type { Flash } from './flash.js';
import { csrfField } from './forms.js';

/** What a browser upload did with each file (web/upload.ts). */
export interface UploadResult {
  saved: string[];
  refused: Array<{ file: string; reason: string }>;
}

/** A sentence about an upload, for the page it returns to. */
export function uploadSummary(r: UploadResult, what: string): Flash {
  const saved = r.saved.length === 1 ? `${r.saved[0]} was` : `${r.saved.length} files were`;
  return {
    notice: r.saved.length ? `${saved} received; ${what}` : undefined,
    error: r.refused.length ? r.refused.map((f) => `${f.file}: ${f.reason}`).join(' ') : r.saved.length ? undefined : 'No file was chosen.',
  };
}

export interface UploadCard {
  id: string;
  title: string;
  intro: Html;
  action: string;
  label: string;
  accept: string;
}

/**
 * The upload card both desks show: a drop zone and a file chooser posting to
 * the desk's upload route; public/upload.js adds drag and drop and progress,
 * and without JavaScript it is a plain multipart form.
 */
export function uploadForm(csrf: string, f: UploadCard): Html {
  return html`<section class="card">
  <h2>${f.title}</h2>
  <p class="muted">${f.intro}</p>
  <form class="upload" method="post" action="${f.action}" enctype="multipart/form-data" data-upload>
    ${csrfField(csrf)}
    <label for="${f.id}" class="dropzone">${f.label}</label>
    <input id="${f.id}" name="files" type="file" multiple required accept="${f.accept}">
    <progress max="100" value="0" hidden></progress>
    <p class="upload-status" role="status"></p>
    <button type="submit">Upload</button>
  </form>
</section>`;
}
