// /api/docs/: starts Swagger UI on the schema URL given in a data attribute. "Try it out" uses
// the logged-in session (the CSRF token goes with every write) or a token set via Authorize.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var csrfToken = root.getAttribute("data-csrf-token") || "";
  window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    validatorUrl: null,
    persistAuthorization: false,
    requestInterceptor: function (request) {
      if (csrfToken && request.method && request.method.toUpperCase() !== "GET") {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    }
  });
})();
