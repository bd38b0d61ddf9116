/* global document, window */
// The check-out desk: keep the cursor where the next scan goes. Barcode
// scanners type the code and press Enter, so the page itself is the loop;
// this only puts focus back (and selects old text) after each step.
(function () {
  function focusScan() {
    var el = document.querySelector('[data-autofocus]');
    if (!el) return;
    el.focus();
    if (typeof el.select === 'function') el.select();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', focusScan);
  else focusScan();
  // Coming back to the tab (after looking something up) returns to the scan field.
  window.addEventListener('pageshow', focusScan);
})();
