// Registers the offline app's service worker (static/sw.js, served at the site root).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script || !script.dataset.sw) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(script.dataset.sw, { scope: "/" }).catch(function () {
      /* an old browser or a private window: the site works as before, only not offline */
    });
  });
})();
