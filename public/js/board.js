// Lobby board: rotates pages of cards and follows changes live over socket.io.
// Without this script the page still works (a meta refresh pages through the postings).
(function () {
  'use strict';
  var body = document.body;
  var centerId = body.getAttribute('data-center-id');
  var list = document.querySelector('[data-board-cards]');
  if (!centerId || !list) return;
  var countEl = document.querySelector('[data-board-count]');
  var pageEl = document.querySelector('[data-board-page]');
  var emptyEl = document.querySelector('[data-board-empty]');
  var PER_PAGE = 6;
  var ROTATE_MS = 10000;
  var page = 0;

  function cards() {
    return Array.prototype.slice.call(list.querySelectorAll('.board-card'));
  }

  function show() {
    var all = cards();
    var pages = Math.max(1, Math.ceil(all.length / PER_PAGE));
    if (page >= pages) page = 0;
    all.forEach(function (c, i) {
      c.hidden = Math.floor(i / PER_PAGE) !== page;
    });
    if (pageEl)
      pageEl.textContent = list
        .getAttribute('data-page-label')
        .replace('{page}', page + 1)
        .replace('{pages}', pages);
    if (countEl) countEl.textContent = list.getAttribute('data-count-label').replace('{count}', all.length);
    if (emptyEl) emptyEl.hidden = all.length > 0;
  }

  var loading = false;
  var again = false;
  function reload() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    fetch('/centers/' + centerId + '/board?fragment=1', { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.text() : Promise.reject(r.status);
      })
      .then(function (html) {
        list.innerHTML = html;
        show();
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (again) {
          again = false;
          reload();
        }
      });
  }

  setInterval(function () {
    page += 1;
    show();
  }, ROTATE_MS);
  reload();

  if (typeof window.io !== 'function') return;
  var socket = window.io({ transports: ['websocket', 'polling'] });
  function subscribe() {
    socket.emit('subscribe', 'board:' + centerId);
  }
  socket.on('connect', subscribe);
  socket.on('board:changed', function (e) {
    if (e && e.action === 'removed' && e.postingId) {
      var card = list.querySelector('[data-posting-id="' + String(e.postingId).replace(/[^a-f0-9]/g, '') + '"]');
      if (card) card.parentNode.removeChild(card);
      show();
    }
    reload();
  });
  // Catch up after a lost connection, and every few minutes in case an event was missed.
  socket.on('reconnect', reload);
  setInterval(reload, 5 * 60 * 1000);
})();
