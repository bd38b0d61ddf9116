import { html, type Html } from '../html.js';
import { bare } from '../views/layout.js';

/** The sign-in page (CONTRACT.md: inputs named `email` and `password`), with what was typed and why it failed. */
export function loginView(p: { email?: string; error?: string; next?: string }): Html {
  return bare(
    'Sign in',
    html`<form class="card login" method="post" action="/login">
  <h1>Sign in to Lanyard</h1>
  ${p.error ? html`<p class="error" role="alert">${p.error}</p>` : ''}
  <input type="hidden" name="next" value="${p.next ?? ''}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required autofocus value="${p.email ?? ''}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>`,
  );
}
