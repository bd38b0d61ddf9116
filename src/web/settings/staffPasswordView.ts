import { html, type Html } from '../html.js';
import { timeEl } from '../views/format.js';
import { postForm } from '../views/forms.js';
import { secretCard } from '../views/flash.js';

/** The step before a reset: an admin confirms, since the colleague's password stops working at once. */
export function confirmResetView(p: { csrf: string; id: number; email: string; error?: string | undefined }): Html {
  const form = postForm(
    `/settings/staff/${String(p.id)}/reset-password`,
    p.csrf,
    html`<button type="submit" class="danger">Confirm: reset the password</button> <a class="button secondary" href="/settings">Cancel</a>`,
    'inline',
  );
  return html`<h1>Reset a password</h1>
${p.error ? html`<p class="error" role="alert">${p.error}</p>` : ''}
<section class="card">
  <p><strong>Reset the password of ${p.email}? Their current password stops working.</strong></p>
  <p class="muted">Lanyard makes a one-time password and shows it to you once. Anywhere ${p.email} is signed in is signed out.
  They choose their own password at their next sign-in; the one-time password stops working after 7 days.</p>
  ${form}
</section>`;
}

/** The new one-time password, shown once on the page the reset redirects to; a reload finds it gone. */
export function resetDoneView(p: { shown: { email: string; password: string; passwordExpiresAt: string } | undefined }): Html {
  if (!p.shown) {
    return html`<h1>Reset a password</h1>
<p class="notice" role="status">This one-time password has already been shown and is not shown again; the password was not reset again.
If it was not noted, reset the password once more from Settings.</p>
<p><a href="/settings">Back to Settings</a></p>`;
  }
  const s = p.shown;
  const note = 'Give it to them in person or by phone: Lanyard keeps only a scrambled form.';
  return html`<h1>Reset a password</h1>
<p class="notice" role="status">The password of ${s.email} is reset. They must choose their own at their next sign-in.</p>
${secretCard({ label: `One-time password for ${s.email}`, value: s.password, note })}
<p class="muted">It stops working on ${timeEl(s.passwordExpiresAt)} if not used by then.</p>
<p><a href="/settings">Back to Settings</a></p>`;
}
