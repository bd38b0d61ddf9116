import { html, type Html } from '../html.js';

/** What a form's POST leaves to say on the page it shows again. */
export interface Flash {
  notice?: string | undefined;
  error?: string | undefined;
}

/** The notice (a status) and the error (an alert), each only when there is one. */
export const flashBlock = (f: Flash): Html => {
  const notice = f.notice ? html`<p class="notice" role="status">${f.notice}</p>` : '';
  const error = f.error ? html`<p class="error" role="alert">${f.error}</p>` : '';
  return html`${notice}${error}`;
};
