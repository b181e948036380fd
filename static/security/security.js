// 4+N pages: behaviour without inline handlers (the pages run under a strict CSP).
// data-confirm, data-print and data-autosubmit are site-wide (static/js/app.js).
// - <canvas data-trend="…">: the alarm-drill response-time chart (data in json_script blocks).
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.querySelector("canvas[data-trend]");
    if (!canvas || typeof window.Chart === "undefined") {
      return;
    }
    var config = readJson(canvas.dataset.trend);
    if (!config) {
      return;
    }
    var datasets = [{
      label: config.hospital, data: config.values, borderColor: "#0d6efd",
      backgroundColor: "#0d6efd", tension: 0.2
    }];
    if (config.median !== null) {
      datasets.push({
        label: config.median_label,
        data: config.labels.map(function () { return config.median; }),
        borderColor: "#adb5bd", borderDash: [6, 4], pointRadius: 0
      });
    }
    new window.Chart(canvas, {
      type: "line",
      data: {labels: config.labels, datasets: datasets},
      options: {
        maintainAspectRatio: false,
        scales: {y: {beginAtZero: true, title: {display: true, text: config.unit}}}
      }
    });
  });
})();
