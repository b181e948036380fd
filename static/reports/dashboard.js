// Bureau dashboard charts (Chart.js from static/vendor/chartjs). Data come from json_script
// blocks (#trend-data, #category-data); the series labels from the canvas's data-label-*.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var trend = readJson("trend-data");
  var el = document.getElementById("trend-chart");
  if (el && trend) {
    new window.Chart(el, {
      type: "bar",
      data: {
        labels: trend.labels,
        datasets: [
          {label: el.dataset.labelFound, data: trend.found, backgroundColor: "rgba(220,53,69,0.7)"},
          {label: el.dataset.labelClosed, data: trend.closed, backgroundColor: "rgba(25,135,84,0.7)"}
        ]
      },
      options: {responsive: true, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
    });
  }
  var categories = readJson("category-data");
  var cel = document.getElementById("category-chart");
  if (cel && categories && categories.labels.length) {
    new window.Chart(cel, {
      type: "doughnut",
      data: {labels: categories.labels, datasets: [{data: categories.found}]},
      options: {responsive: true, plugins: {legend: {position: "bottom"}}}
    });
  }
})();
