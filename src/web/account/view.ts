import { html, type Html } from '../html.js';
import { flashBlock, type Flash } from '../views/flash.js';
import { csrfField } from '../views/forms.js';

export interface ChangePasswordProps {
  flash: Flash;
  csrf: string;
  /** Signed in with a one-time password: nothing else opens until it is replaced. */
  mustChange: boolean;
  /** The change just went through (the page a successful POST redirects to). */
  changed: boolean;
}

/** Change my password: the current one, the new one twice. */
export function changePasswordView(p: ChangePasswordProps): Html {
  if (p.changed) {
    return html`<h1>Change my password</h1>
<p class="notice" role="status">Your password is changed. Any other browser signed in as you has been signed out; this one stays signed in.</p>
<p><a href="/people">Continue to People</a></p>`;
  }
  const why = p.mustChange
    ? html`<p class="warning" role="status">You signed in with a one-time password. Choose your own password to continue: the rest of Lanyard opens once it is set.</p>`
    : '';
  return html`<h1>Change my password</h1>
${why}${flashBlock(p.flash)}
<form class="card password-change" method="post" action="/account/password">
  ${csrfField(p.csrf)}
  <label for="current-password">Current password${p.mustChange ? ' (the one-time password you signed in with)' : ''}</label>
  <input id="current-password" name="current" type="password" autocomplete="current-password" required autofocus>
  <label for="new-password">New password</label>
  <input id="new-password" name="next" type="password" autocomplete="new-password" required minlength="8" maxlength="256" aria-describedby="new-password-hint">
  <p class="muted" id="new-password-hint">At least 8 characters. A few unrelated words make a strong one that is easy to type.</p>
  <label for="repeat-password">New password again</label>
  <input id="repeat-password" name="repeat" type="password" autocomplete="new-password" required minlength="8" maxlength="256">
  <button type="submit">Change my password</button>
</form>`;
}
