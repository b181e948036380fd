// Idle-session warning (accounts/sessions.py ends a session unused for data-session-idle
// seconds). Shows #session-warning data-session-warning seconds before; "继续使用" posts the
// keep-alive form. Typing or tapping counts as use: it keeps the session alive quietly, so a
// long note being typed is never lost to the timeout.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.dataset.sessionIdle || "0", 10);
  var warning = parseInt(body.dataset.sessionWarning || "120", 10);
  var box = document.getElementById("session-warning");
  if (!idle || !box) return;
  var form = box.querySelector("form[data-session-keepalive]");
  var countdown = box.querySelector("[data-session-countdown]");
  var lastServerContact = Date.now();
  var lastInteraction = 0;
  var timer = null;

  function keepAlive() {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (response.ok) {
        lastServerContact = Date.now();
        box.classList.add("d-none");
      } else {
        window.location.href = body.dataset.sessionExpiredUrl;
      }
    });
  }

  function tick() {
    var left = Math.round((lastServerContact + idle * 1000 - Date.now()) / 1000);
    if (left <= 0) {
      window.location.href = body.dataset.sessionExpiredUrl;
      return;
    }
    if (left <= warning) {
      if (lastInteraction > lastServerContact) {
        keepAlive();
      } else {
        countdown.textContent = String(left);
        box.classList.remove("d-none");
      }
    }
  }

  ["keydown", "pointerdown", "input"].forEach(function (name) {
    document.addEventListener(name, function () { lastInteraction = Date.now(); }, { passive: true, capture: true });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    keepAlive();
  });
  timer = window.setInterval(tick, 1000);
  window.addEventListener("pagehide", function () { window.clearInterval(timer); });
})();
