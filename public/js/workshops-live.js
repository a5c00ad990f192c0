// Live output board for a workshop wall: subscribes to 'workshop:<id>' and redraws the
// counts on every logged entry. The page works (and shows today's numbers) without this file.
(function () {
  'use strict';
  var root = document.querySelector('[data-workshop-id]');
  if (!root || typeof window.io !== 'function') return;
  var id = root.getAttribute('data-workshop-id');
  var socket = window.io({ transports: ['websocket', 'polling'] });
  function subscribe() {
    socket.emit('subscribe', 'workshop:' + id, function () {});
  }
  socket.on('connect', subscribe);
  socket.on('workshop:board', function (b) {
    var total = root.querySelector('[data-total]');
    if (total) {
      total.textContent = String(b.total);
      total.setAttribute('data-total', String(b.total));
    }
    var list = root.querySelector('.ws-live-tasks');
    (b.tasks || []).forEach(function (t) {
      var li = root.querySelector('[data-task-id="' + t.id + '"]');
      if (!li && list) {
        li = document.createElement('li');
        li.setAttribute('data-task-id', t.id);
        var n = document.createElement('span');
        n.className = 'name';
        n.textContent = t.name;
        var c = document.createElement('strong');
        c.setAttribute('data-count', '');
        var u = document.createElement('span');
        u.className = 'unit';
        u.textContent = t.unit;
        li.appendChild(n);
        li.appendChild(document.createTextNode(' '));
        li.appendChild(c);
        li.appendChild(document.createTextNode(' '));
        li.appendChild(u);
        list.appendChild(li);
      }
      if (!li) return;
      var count = li.querySelector('[data-count]');
      if (count) count.textContent = String(t.accepted);
      li.setAttribute('data-accepted', String(t.accepted));
    });
    // Stations update in place (a name the server printed for staff stays); new ones are
    // inserted in station order. The pushed state carries no names.
    var stations = root.querySelector('[data-stations]');
    if (stations) {
      (b.stations || []).forEach(function (st) {
        var li = stations.querySelector('[data-station="' + Number(st.station) + '"]');
        if (!li) {
          var none = stations.querySelector('[data-none]');
          if (none) stations.removeChild(none);
          li = document.createElement('li');
          li.setAttribute('data-station', String(st.station));
          var n = document.createElement('span');
          n.className = 'name';
          n.textContent = (stations.getAttribute('data-label') || '{n}').replace('{n}', String(st.station));
          var c = document.createElement('strong');
          c.setAttribute('data-count', '');
          li.appendChild(n);
          li.appendChild(document.createTextNode(' '));
          li.appendChild(c);
          var after = Array.prototype.filter.call(stations.children, function (x) {
            return Number(x.getAttribute('data-station')) > st.station;
          })[0];
          stations.insertBefore(li, after || null);
        }
        var count = li.querySelector('[data-count]');
        if (count) count.textContent = String(st.accepted);
      });
    }
    (b.orders || []).forEach(function (o) {
      var li = root.querySelector('[data-order-id="' + o.id + '"]');
      if (!li) return;
      var d = li.querySelector('[data-done]');
      if (d) d.textContent = String(o.done);
      var p = li.querySelector('progress');
      if (p) p.value = o.done;
    });
    root.classList.remove('ws-flash');
    void root.offsetWidth;
    root.classList.add('ws-flash');
  });
})();
