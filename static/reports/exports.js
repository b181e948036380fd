// Report exports (no inline script: the pages run under a strict CSP).
// - Export detail (#export-card data-status-url, data-finished="0"): poll the status and reload
//   when the build finishes or changes state.
// - Export list (#report-form): show only the period fields of the chosen period kind; picking
//   a report type selects its usual period kind (json_script #default-period-kinds).
// - [data-reload-after="5"]: reload the page after that many seconds (builds still running).
(function () {
  "use strict";

  var card = document.getElementById("export-card");
  if (card && card.getAttribute("data-finished") !== "1") {
    var url = card.getAttribute("data-status-url");
    var last = null;
    var poll = function () {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { window.setTimeout(poll, 5000); return; }
          document.getElementById("export-status").textContent = data.status_display;
          if (data.finished) { window.location.reload(); return; }
          if (last !== null && last !== data.status) { window.location.reload(); return; }
          last = data.status;
          window.setTimeout(poll, 2000);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1500);
  }

  var kind = document.getElementById("id_period_kind");
  if (kind) {
    var sync = function () {
      document.querySelectorAll("#report-form [data-period]").forEach(function (el) {
        el.hidden = el.getAttribute("data-period") !== kind.value;
      });
    };
    kind.addEventListener("change", sync);
    var type = document.getElementById("id_report_type");
    var defaultsNode = document.getElementById("default-period-kinds");
    var defaults = defaultsNode ? JSON.parse(defaultsNode.textContent) : {};
    if (type) {
      type.addEventListener("change", function () {
        if (defaults[type.value]) { kind.value = defaults[type.value]; sync(); }
      });
    }
    sync();
  }

  var reload = document.querySelector("[data-reload-after]");
  if (reload) {
    var seconds = parseInt(reload.getAttribute("data-reload-after"), 10) || 5;
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
