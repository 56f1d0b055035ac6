/* tlsgrade HTML report: the page's only script. It sorts and filters the table of targets and
   opens the card a link points to; without it the page shows the same facts, unsorted. It runs
   right after the table, while the cards may still be loading, so it looks cards up when used. */
(function () {
  'use strict';
  var doc = document;
  var table = doc.getElementById('tt');
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (r) { r.searchText = r.textContent.toLowerCase(); });

  // Sorting: cells with data-v sort by that number (empty = unknown, always last), others by text.
  function key(row, col) {
    var cell = row.cells[col];
    var v = cell.getAttribute('data-v');
    if (v === null) return cell.textContent.trim().toLowerCase();
    return v === '' ? null : Number(v);
  }
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    var b = doc.createElement('button');
    b.type = 'button';
    while (th.firstChild) b.appendChild(th.firstChild);
    th.appendChild(b);
    th.setAttribute('aria-sort', 'none');
    b.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      Array.prototype.forEach.call(heads, function (h) { h.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      var keyed = rows.map(function (r, i) { return [key(r, col), i, r]; });
      keyed.sort(function (a, b) {
        var x = a[0], y = b[0];
        if (x === y) return a[1] - b[1];
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * dir;
      });
      var frag = doc.createDocumentFragment();
      rows = keyed.map(function (k) { frag.appendChild(k[2]); return k[2]; });
      body.appendChild(frag);
    });
  });

  // Filtering: a text box over each row's text, and a grade.
  var q = doc.getElementById('q');
  var grade = doc.getElementById('gf');
  var shown = doc.getElementById('shown');
  function filter() {
    var text = q.value.trim().toLowerCase();
    var g = grade.value;
    var n = 0;
    rows.forEach(function (r) {
      var ok = (!g || r.getAttribute('data-g') === g) && (!text || r.searchText.indexOf(text) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    var all = rows.length.toLocaleString('en-US');
    shown.textContent = (n === rows.length ? all : n.toLocaleString('en-US') + ' of ' + all) + ' targets';
  }
  var pending = 0;
  q.addEventListener('input', function () {
    clearTimeout(pending);
    pending = setTimeout(filter, rows.length > 2000 ? 200 : 60);
  });
  grade.addEventListener('change', filter);
  Array.prototype.forEach.call(doc.querySelectorAll('.bar[data-g]'), function (bar) {
    bar.addEventListener('click', function () {
      var g = bar.getAttribute('data-g');
      grade.value = grade.value === g ? '' : g;
      filter();
      table.scrollIntoView({ block: 'start' });
    });
  });
  filter();

  // Links to a card open it (the card may load after this script: look it up when needed).
  function openCard(id) {
    var el = id && doc.getElementById(id);
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  function openTarget() { openCard(decodeURIComponent(location.hash.slice(1))); }
  window.addEventListener('hashchange', openTarget);
  doc.addEventListener('DOMContentLoaded', openTarget);
  openTarget();
  doc.addEventListener('click', function (ev) {
    var t = ev.target;
    if (t.id === 'open-all' || t.id === 'close-all') {
      Array.prototype.forEach.call(doc.querySelectorAll('details.card'), function (c) {
        c.open = t.id === 'open-all';
      });
      return;
    }
    var a = t.closest && t.closest('#tt a[href^="#t"]');
    if (a) openCard(a.getAttribute('href').slice(1));
  });

  // Shows the controls this script drives (CSS hides them until then).
  doc.documentElement.setAttribute('data-ready', String(rows.length));
})();
