/* global document, window, setTimeout, navigator */
// The main navigation folds behind "Menu" on narrow screens (public/app.css). Without this script the
// button stays hidden and the navigation open, so every page is reachable either way.
{
  const toggle = document.querySelector('.menu-toggle');
  const nav = document.getElementById('main-nav');
  if (toggle && nav) {
    document.documentElement.classList.add('has-menu');
    toggle.hidden = false;
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      nav.classList.toggle('open', open);
    });
  }
}

// Times are sent in UTC and say so; here they are shown in the reader's own zone, with its name
// ("25 Nov 2026, 03:47 EST"), the full instant kept in the title for anyone comparing notes.
{
  const date = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  for (const el of document.querySelectorAll('time[datetime]')) {
    const d = new Date(el.getAttribute('datetime'));
    if (Number.isNaN(d.getTime()) || !/ UTC$/.test(el.textContent)) continue;
    const name = zone.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
    el.title = d.toISOString();
    el.textContent = `${date.format(d)} ${name}`.trim();
  }
}

// The Rosters desk counts down to each waiting file's import and, once the files that were still
// settling when the page loaded are due, reloads once to show the result (not while someone is typing
// in a form). A file already past due when the page loaded never triggers a reload, so a busy intake
// cannot make the page reload over and over.
{
  const timers = [...document.querySelectorAll('.countdown[data-due]')];
  const dueAt = (el) => Date.parse(el.dataset.due);
  const awaited = timers.filter((el) => dueAt(el) > Date.now());
  if (timers.length) {
    const tick = () => {
      for (const el of timers) {
        const left = Math.ceil((dueAt(el) - Date.now()) / 1000);
        el.textContent = left > 0 ? `imported in ${left} s` : 'being imported now';
      }
      const busy = document.activeElement && document.activeElement.closest('form');
      if (awaited.length && awaited.every((el) => dueAt(el) + 3000 < Date.now()) && !busy) window.location.reload();
      else setTimeout(tick, 1000);
    };
    setTimeout(tick, 1000);
  }
}

// A secret shown once gets a Copy button: hidden in the HTML, shown here only where the clipboard can be written.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const source = document.getElementById(button.dataset.copy);
  const said = button.parentElement.querySelector('.copied');
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      said.textContent = 'Copied';
    } catch {
      said.textContent = 'Could not copy: select the text and copy it by hand.';
    }
  });
}

// A form that changes something is sent once. A second click (or Enter) while the first answer is on its way
// would send it again, and the answer shown would be the second one ("already checked out") although the
// first did what was asked. Showing the page again (Back) lets it be sent again, and so does a wait of
// 10 s, in case the first never got an answer.
{
  const sending = new WeakMap();
  for (const form of document.querySelectorAll('form[method="post" i]:not([target])')) {
    form.addEventListener('submit', (event) => {
      if (event.defaultPrevented) return;
      if (Date.now() - (sending.get(form) ?? 0) < 10_000) {
        event.preventDefault();
        return;
      }
      sending.set(form, Date.now());
    });
  }
  window.addEventListener('pageshow', () => {
    for (const form of document.querySelectorAll('form')) sending.delete(form);
  });
}
