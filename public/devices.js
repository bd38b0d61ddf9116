/* global document, FileReader */
// Devices: a chosen CSV file is read into the paste box, so the same form
// (and the same server-side parsing) handles both; without this script,
// pasting still works.
(function () {
  document.querySelectorAll('input[type=file][data-csv-into]').forEach(function (input) {
    var target = document.getElementById(input.getAttribute('data-csv-into'));
    if (!target) return;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.addEventListener('load', function () {
        target.value = String(reader.result).replace(/^\ufeff/, '');
      });
      reader.readAsText(file);
    });
  });
})();
