/* global document, window, Element */
// The Print button of the receipt and the damage form (no inline handlers: the CSP allows scripts from 'self' only).
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-print]') : null;
  if (button) window.print();
});
