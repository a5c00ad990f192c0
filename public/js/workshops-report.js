// Draws the monthly trend with Chart.js (served from /vendor); the table below has the same numbers.
(function () {
  'use strict';
  var canvas = document.getElementById('ws-trend');
  if (!canvas || typeof window.Chart !== 'function') return;
  var data;
  try {
    data = JSON.parse(canvas.getAttribute('data-chart') || '{}');
  } catch (_e) {
    return;
  }
  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: [
        { label: data.labelPaid, data: data.paid, backgroundColor: '#a3160f' },
        { label: data.labelLow, data: data.paidLow, backgroundColor: '#0a4fa3' },
      ],
    },
    options: { responsive: true, scales: { y: { beginAtZero: true } }, plugins: { legend: { labels: { font: { size: 16 } } } } },
  });
})();
