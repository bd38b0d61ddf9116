/* global document, window, XMLHttpRequest, FormData */
// Browser uploads on the Photos and Rosters desks: drag and drop onto the
// form, a progress bar while it sends, then the page reloads to show the
// outcomes. Without this script the same form posts normally.
(function () {
  var token = document.querySelector('meta[name="csrf-token"]');
  document.querySelectorAll('form[data-upload]').forEach(function (form) {
    var input = form.querySelector('input[type=file]');
    var bar = form.querySelector('progress');
    var status = form.querySelector('.upload-status');
    var dropped = null;

    ['dragenter', 'dragover'].forEach(function (type) {
      form.addEventListener(type, function (e) {
        e.preventDefault();
        form.classList.add('dragging');
      });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      form.addEventListener(type, function () {
        form.classList.remove('dragging');
      });
    });
    form.addEventListener('drop', function (e) {
      e.preventDefault();
      dropped = e.dataTransfer.files;
      input.required = false;
      status.textContent = dropped.length + (dropped.length === 1 ? ' file ready: ' : ' files ready: ') + 'press Upload.';
    });

    form.addEventListener('submit', function (e) {
      var files = dropped || input.files;
      if (!files || files.length === 0) return;
      e.preventDefault();
      var data = new FormData();
      for (var i = 0; i < files.length; i++) data.append('files', files[i], files[i].name);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('accept', 'application/json');
      if (token) xhr.setRequestHeader('x-csrf-token', token.content);
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener('progress', function (p) {
        if (p.lengthComputable) {
          bar.value = Math.round((100 * p.loaded) / p.total);
          status.textContent = 'Sending… ' + bar.value + '%';
        }
      });
      xhr.addEventListener('load', function () {
        var r;
        try {
          r = JSON.parse(xhr.responseText);
        } catch {
          r = null;
        }
        if (xhr.status !== 200 || !r) {
          status.textContent = 'The upload failed (' + xhr.status + '): ' + xhr.responseText;
          return;
        }
        var msg = r.saved.length + (r.saved.length === 1 ? ' file received.' : ' files received.');
        if (r.refused.length) msg += ' Not received: ' + r.refused.map(function (f) { return f.file + ' (' + f.reason + ')'; }).join('; ');
        status.textContent = msg;
        if (!r.refused.length) window.setTimeout(function () { window.location.reload(); }, 1500);
      });
      xhr.addEventListener('error', function () {
        status.textContent = 'The upload did not reach Lanyard: check the connection and try again.';
      });
      xhr.send(data);
    });
  });
})();
