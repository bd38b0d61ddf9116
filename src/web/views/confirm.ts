import { html, type Html } from '../html.js';
import { postForm } from './forms.js';

/** What a confirmation page asks: in plain words what will happen, and the two ways out. */
export interface ConfirmProps {
  title: string;
  /** What will happen, and what it means for the people who depend on it. */
  consequences: Html | string;
  /** Where Confirm posts (the action itself, with its CSRF token). */
  action: string;
  confirmLabel: string;
  /** Where Cancel goes back to, changing nothing. */
  cancelHref: string;
  csrf: string;
  /** Fields the action needs, as hidden inputs. */
  fields?: Html | string;
}

/**
 * A destructive or secret-changing action asks first, on a page of its own:
 * a GET, so it works without JavaScript and opening it changes nothing.
 * Confirm is the form's button (POST with the CSRF token), Cancel a link back;
 * both are reached by Tab and neither is focused on arrival, so an Enter out
 * of habit does nothing.
 */
export const confirmView = (p: ConfirmProps): Html => html`<h1>${p.title}</h1>
<section class="card ask">
  <p>${p.consequences}</p>
  ${postForm(p.action, p.csrf, html`${p.fields ?? ''}<div class="actions"><button type="submit" class="danger">${p.confirmLabel}</button>
  <a class="button secondary" href="${p.cancelHref}">Cancel</a></div>`, 'stack')}
</section>`;
