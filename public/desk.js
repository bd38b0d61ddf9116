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
  // Undo is offered for a minute: the button goes when the server would refuse it anyway.
  var undo = document.querySelector('form.undo[data-undo-seconds]');
  if (undo) {
    window.setTimeout(function () {
      undo.remove();
    }, Number(undo.getAttribute('data-undo-seconds')) * 1000);
  }
})();
