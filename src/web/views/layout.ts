import { html, type Html } from '../html.js';

export type Section = 'people' | 'devices' | 'desk' | 'incidents' | 'photos' | 'rosters' | 'settings' | 'search' | 'account';

/** What the frame of a signed-in page shows around its body. */
export interface Frame {
  districtName: string;
  /** Who is signed in. */
  email: string;
  /** The session's CSRF token: in the sign-out form and a meta tag for scripts. */
  csrf: string;
  /** Which nav item is current. */
  section: Section;
}

const NAV: Array<[Section, string, string]> = [
  ['people', 'People', '/people'],
  ['devices', 'Devices', '/devices'],
  ['desk', 'Check-out desk', '/desk'],
  ['incidents', 'Incidents', '/incidents'],
  ['photos', 'Photos', '/photos'],
  ['rosters', 'Rosters', '/rosters'],
  ['settings', 'Settings', '/settings'],
];

const navItem = ([key, label, href]: (typeof NAV)[number], current: Section) =>
  html`<li><a href="${href}"${key === current ? html` aria-current="page"` : ''}>${label}</a></li>`;

/** Beside the signed-in email on wide screens; inside the folding menu on phones (app.css shows one of the two). */
const changePasswordLink = (frame: Frame): Html =>
  html`<a class="change-password" href="/account/password"${frame.section === 'account' ? html` aria-current="page"` : ''}>Change my password</a>`;

/** The frame of every signed-in page: one stylesheet, one script, no inline code (the CSP forbids it). */
export function page(frame: Frame, title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${frame.csrf}">
<title>${title} · ${frame.districtName} · Lanyard</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/people">Lanyard</a>
  <span class="district">${frame.districtName}</span>
  <button class="menu-toggle" type="button" aria-expanded="false" aria-controls="main-nav" hidden>Menu</button>
  <nav id="main-nav" aria-label="Main">
    <ul>${NAV.map((item) => navItem(item, frame.section))}<li class="nav-account">${changePasswordLink(frame)}</li></ul>
  </nav>
  <form class="header-search" method="get" action="/search" role="search">
    <label class="visually-hidden" for="header-q">Search people and devices</label>
    <input id="header-q" name="q" type="search" placeholder="Tag, Local ID or name" autocomplete="off" spellcheck="false">
  </form>
  <form class="signout" method="post" action="/logout">
    <input type="hidden" name="_csrf" value="${frame.csrf}">
    <span>${frame.email}</span>
    ${changePasswordLink(frame)}
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

/** The body of a page for something not in this district (or not there at all: the same to the reader). */
export const notFoundBody = (message: string): Html => html`<h1>Not found</h1><p>${message}</p>`;
