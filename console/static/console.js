// The console's only script: countdowns to deadlines, the live timeline of an
// application page, the sign-in role/region picker and a last warning before an
// over-cap filing. Pages work without it; every string comes from the page (data-i18n-*).
(function () {
  'use strict';
  var body = document.body;
  var i18n = {
    passed: body.dataset.i18nPassed || '',
    days: body.dataset.i18nDays || 'd',
    confirmForfeit: body.dataset.i18nConfirmForfeit || '',
    liveError: body.dataset.i18nLiveError || ''
  };

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  // Countdowns: every [data-deadline] shows the time left, once a second.
  function tick() {
    var now = Date.now();
    document.querySelectorAll('[data-deadline]').forEach(function (el) {
      var at = Date.parse(el.dataset.deadline);
      if (isNaN(at)) { return; }
      var left = Math.floor((at - now) / 1000);
      if (left < 0) {
        el.textContent = i18n.passed;
        el.classList.add('passed');
        el.classList.remove('soon');
        return;
      }
      var d = Math.floor(left / 86400); left -= d * 86400;
      var h = Math.floor(left / 3600); left -= h * 3600;
      var m = Math.floor(left / 60); var s = left - m * 60;
      el.textContent = (d > 0 ? d + ' ' + i18n.days + ' ' : '') + pad(h) + ':' + pad(m) + ':' + pad(s);
      el.classList.toggle('soon', at - now < 3600 * 1000);
    });
  }
  tick();
  setInterval(tick, 1000);

  // Live timeline: poll the page's fragment with what the page already shows (the
  // application's version and, when the page shows the timeline's end, its last seq) and
  // merge in what changed: the state line is replaced, new events are appended. The
  // server answers 204 when nothing changed, so a poll costs the same however long the
  // timeline has grown, and an action by anyone (or a deadline firing) appears without
  // reloading the page.
  var live = document.getElementById('live');
  if (live && live.dataset.liveUrl) {
    var stopped = false;
    var schedule = function () { setTimeout(poll, 2500); };
    var query = function () {
      var q = [];
      var state = live.querySelector('.live-state');
      if (state && state.dataset.version) { q.push('version=' + encodeURIComponent(state.dataset.version)); }
      var table = document.getElementById('timeline');
      if (table && table.dataset.after) { q.push('after=' + encodeURIComponent(table.dataset.after)); }
      return q.length ? '?' + q.join('&') : '';
    };
    var merge = function (html) {
      var got = document.createElement('template');
      got.innerHTML = html;
      var state = got.content.querySelector('.live-state');
      var shown = live.querySelector('.live-state');
      if (state && shown) { shown.replaceWith(state); }
      var table = document.getElementById('timeline');
      var rows = got.content.querySelectorAll('tr[data-seq]');
      if (table && table.dataset.after && rows.length) {
        var tbody = table.tBodies[0];
        var empty = tbody.querySelector('tr.empty');
        if (empty) { empty.remove(); }
        rows.forEach(function (row) { tbody.appendChild(row); });
        table.dataset.after = rows[rows.length - 1].dataset.seq;
      }
      live.dataset.updates = String(Number(live.dataset.updates || '0') + 1);
      tick();
    };
    var poll = function () {
      if (stopped) { return; }
      if (document.hidden) { schedule(); return; }
      fetch(live.dataset.liveUrl + query(), { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'text/html' } })
        .then(function (res) {
          if (res.status === 400 || res.status === 401 || res.status === 403 || res.status === 404) { stopped = true; return null; }
          if (res.status === 204) { return ''; }
          if (!res.ok) { throw new Error('HTTP ' + res.status); }
          return res.text();
        })
        .then(function (html) {
          if (html === null) { return; }
          live.classList.remove('stale');
          live.removeAttribute('title');
          if (html !== '') { merge(html); }
          live.dataset.refreshed = String(Date.now());
        })
        .catch(function () {
          live.classList.add('stale');
          live.title = i18n.liveError;
        })
        .then(schedule);
    };
    schedule();
  }

  // Sign-in picker: only the regions that fit the chosen role can be picked.
  var role = document.querySelector('[data-role-select]');
  var region = document.querySelector('[data-region-select]');
  if (role && region) {
    var levels = { county: 'county', prefecture: 'prefecture', reviewer: 'province', admin: 'province' };
    var fit = function () {
      var want = levels[role.value];
      var first = null;
      var keep = false;
      region.querySelectorAll('option').forEach(function (o) {
        var ok = o.dataset.level === want;
        o.disabled = !ok;
        o.hidden = !ok;
        if (ok && !first) { first = o; }
        if (ok && o.value === region.value) { keep = true; }
      });
      region.querySelectorAll('optgroup').forEach(function (g) {
        g.hidden = !g.querySelector('option:not([disabled])');
      });
      if (!keep && first) { region.value = first.value; }
    };
    role.addEventListener('change', fit);
    fit();
  }

  // A formal filing over the cap forfeits the whole prefecture (R3): ask once more.
  var rf = document.getElementById('recommend-form');
  if (rf) {
    rf.addEventListener('submit', function (e) {
      var btn = e.submitter;
      if (!btn || btn.value !== 'file') { return; }
      var cap = parseInt(rf.dataset.cap, 10);
      var n = 0;
      rf.querySelectorAll('select[name^="order_"]').forEach(function (s) { if (s.value) { n++; } });
      if (n > cap && !window.confirm(i18n.confirmForfeit)) { e.preventDefault(); }
    });
  }
})();
