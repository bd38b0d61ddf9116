/* global document */
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
