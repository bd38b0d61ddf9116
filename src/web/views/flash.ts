import type { FlashMessage } from '../../staff/flashes.js';
import { html, type Html } from '../html.js';

/** What a form's POST leaves to say on the page it shows (after its redirect, or again on a refusal). */
export type Flash = Omit<FlashMessage, 'values'>;

const ONCE = 'Copy it now: it will not be shown again.';
/** Passwords and tokens are stored hashed; a secret with its own note (the webhook's, which signs pushes) says what it is instead. */
const HASHED = 'Lanyard keeps only a scrambled form.';

/**
 * A secret shown this once, with a Copy button (public/app.js; hidden until
 * the script shows it, so without JavaScript there is no dead button).
 */
export const secretCard = (secret: Flash['secret']): Html | string => {
  if (!secret) return '';
  return html`<div class="card secret" role="status"><h2>${secret.label}</h2>
  <p class="secret-value"><code class="big" id="secret-value">${secret.value}</code>
  <button type="button" class="secondary copy" data-copy="secret-value" hidden>Copy</button><span class="copied muted" aria-live="polite"></span></p>
  <p class="muted">${secret.note ? `${secret.note} ${ONCE}` : `${ONCE} ${HASHED}`}</p></div>`;
};

/** The notice (a status), the error (an alert) and a secret, each only when there is one. */
export const flashBlock = (f: Flash): Html => {
  const notice = f.notice ? html`<p class="notice" role="status">${f.notice}</p>` : '';
  const error = f.error ? html`<p class="error" role="alert">${f.error}</p>` : '';
  return html`${notice}${error}${secretCard(f.secret)}`;
};
