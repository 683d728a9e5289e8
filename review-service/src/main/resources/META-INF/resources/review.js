// The workstation's few behaviours: keyboard shortcuts, the saliency overlay and its opacity. No libraries.
(function () {
  'use strict';
  var page = document.body.dataset.page;
  function typing(e) { var t = e.target.tagName; return t === 'INPUT' || t === 'SELECT' || t === 'TEXTAREA'; }

  if (page === 'worklist') {
    var rows = Array.prototype.slice.call(document.querySelectorAll('tr.scan-row'));
    var at = rows.length ? 0 : -1;
    function select(i) {
      if (i < 0 || i >= rows.length) { return; }
      if (at >= 0) { rows[at].classList.remove('selected'); }
      at = i; rows[at].classList.add('selected'); rows[at].scrollIntoView({ block: 'nearest' });
    }
    select(0);
    rows.forEach(function (row, i) { row.addEventListener('click', function (e) {
      if (e.target.tagName !== 'A') { window.location = row.dataset.href; } }); });
    document.addEventListener('keydown', function (e) {
      if (typing(e)) { return; }
      if (e.key === 'j') { select(at + 1); }
      else if (e.key === 'k') { select(at - 1); }
      else if (e.key === 'Enter' && at >= 0) { window.location = rows[at].dataset.href; }
    });
  }

  if (page === 'scan') {
    var scan = encodeURIComponent(document.body.dataset.scan);
    var overlay = document.getElementById('saliency');
    var status = document.getElementById('saliency-status');
    var slider = document.getElementById('opacity');
    function opacity() { if (overlay) { overlay.style.opacity = slider.value / 100; } }
    slider.addEventListener('input', opacity);
    opacity();
    if (overlay) {
      fetch('/scans/' + scan + '/saliency.png', { credentials: 'same-origin' }).then(function (r) {
        if (r.ok) {
          return r.blob().then(function (b) {
            overlay.src = URL.createObjectURL(b); overlay.hidden = false; status.textContent = 'Saliency shown.';
          });
        }
        return r.text().then(function (t) { status.textContent = t; });
      }).catch(function (e) { status.textContent = 'No saliency map: ' + e; });
    } else {
      status.textContent = '';
    }
    document.addEventListener('keydown', function (e) {
      if (typing(e)) { return; }
      var click = function (id) { var b = document.getElementById(id); if (b) { b.click(); } };
      if (e.key === 'c') { click('confirm'); }
      else if (e.key === 'x') { click('correct'); }
      else if (e.key === 'j' && document.body.dataset.next) { window.location = document.body.dataset.next; }
      else if (e.key === 'k' && document.body.dataset.previous) { window.location = document.body.dataset.previous; }
    });
    // The label shows once the view has read it back from scans.labels: reload until it is there.
    if (document.getElementById('notice') && document.getElementById('label').textContent.trim() === 'not labelled') {
      setTimeout(function () { window.location.reload(); }, 1000);
    }
  }
})();
