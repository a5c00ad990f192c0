// Progressive enhancement only: every page works without this file. It waits for the page's
// other deferred scripts (socket.io is one of them on live pages), which run after this one.
document.addEventListener('DOMContentLoaded', function () {
  'use strict';
  var userId = document.body.getAttribute('data-user');
  if (!userId || typeof window.io !== 'function') return;
  var socket = window.io({ transports: ['websocket', 'polling'] });
  socket.on('notification', function (n) {
    var badge = document.querySelector('[data-unread]');
    if (badge) {
      badge.textContent = String(n.unread);
      badge.hidden = !n.unread;
    }
  });
  socket.on('notification:read', function () {
    var badge = document.querySelector('[data-unread]');
    if (badge) {
      badge.hidden = true;
    }
  });
});
