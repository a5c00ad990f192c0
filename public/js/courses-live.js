// Progressive enhancement for the staff session page: live check-ins and a fresh QR code.
// The page works without it (reload to see new check-ins and a new code).
(function () {
  'use strict';
  var root = document.querySelector('[data-session]');
  if (!root) return;
  var sessionId = root.getAttribute('data-session');
  var courseId = root.getAttribute('data-course');
  var live = document.querySelector('[data-live-msg]');
  var presentText = live ? live.getAttribute('data-present-text') : '';
  var qrText = live ? live.getAttribute('data-qr-text') : '';

  // The QR token changes every minute; fetch a fresh image every 20 seconds.
  var qr = document.querySelector('[data-qr]');
  if (qr && window.fetch) {
    setInterval(function () {
      fetch('/staff/courses/' + courseId + '/sessions/' + sessionId + '/qr.svg', { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) {
          return r.ok ? r.text() : null;
        })
        .then(function (svg) {
          if (!svg || svg.indexOf('<svg') !== 0) return;
          var doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
          var el = doc.documentElement;
          if (el && el.nodeName.toLowerCase() === 'svg') qr.replaceChildren(document.importNode(el, true));
        })
        .catch(function () {});
    }, 20000);
  }

  if (typeof window.io !== 'function') return;
  var socket = window.io({ transports: ['websocket', 'polling'] });
  socket.on('connect', function () {
    socket.emit('subscribe', 'session:' + sessionId);
  });
  socket.on('checkin', function (c) {
    var row = document.querySelector('[data-roster] [data-resident="' + String(c.resident).replace(/[^a-f0-9]/gi, '') + '"]');
    if (!row) return;
    var wasPresent = row.getAttribute('data-checkin') === 'present';
    row.setAttribute('data-checkin', 'present');
    row.classList.add('just-checked-in');
    var box = row.querySelector('input[type=checkbox]');
    if (box) box.checked = true;
    var state = row.querySelector('[data-state]');
    var at = new Date(c.at);
    var hhmm = ('0' + at.getHours()).slice(-2) + ':' + ('0' + at.getMinutes()).slice(-2);
    if (state) state.textContent = '✔ ' + presentText + ' · ' + qrText + ' ' + hhmm;
    if (!wasPresent) {
      var count = document.querySelector('[data-present-count]');
      if (count) count.textContent = String(Number(count.textContent || '0') + 1);
    }
    if (live) live.textContent = c.name + ' ' + presentText;
  });
})();
