import type { District } from '../districts/districts.js';
import type { WebSession } from '../staff/sessions.js';
import { html, type Html } from './html.js';

export interface PageContext {
  district: District;
  session: WebSession;
  /** Which nav item is current. */
  section: 'people' | 'devices' | 'desk' | 'incidents' | 'photos' | 'rosters' | 'settings';
}

const NAV: Array<[PageContext['section'], string, string]> = [
  ['people', 'People', '/people'],
  ['devices', 'Devices', '/devices'],
  ['desk', 'Check-out desk', '/desk'],
  ['incidents', 'Incidents', '/incidents'],
  ['photos', 'Photos', '/photos'],
  ['rosters', 'Rosters', '/rosters'],
  ['settings', 'Settings', '/settings'],
];

/** The frame of every signed-in page: one stylesheet, one script, no inline code (the CSP forbids it). */
export function page(ctx: PageContext, title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${ctx.session.csrfToken}">
<title>${title} · ${ctx.district.name} · Lanyard</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/people">Lanyard</a>
  <span class="district">${ctx.district.name}</span>
  <nav aria-label="Main">
    <ul>${NAV.map(([key, label, href]) => html`<li><a href="${href}"${key === ctx.section ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul>
  </nav>
  <form class="signout" method="post" action="/logout">
    <input type="hidden" name="_csrf" value="${ctx.session.csrfToken}">
    <span>${ctx.session.staff.email}</span>
    <button type="submit">Sign out</button>
  </form>
</header>
<main id="main">
${body}
</main>
</body>
</html>`;
}

/** A page for people who are not signed in (sign-in, errors before sign-in). */
export function bare(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Lanyard</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
</head>
<body class="bare">
<main id="main">
${body}
</main>
</body>
</html>`;
}
