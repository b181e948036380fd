/* Destructive buttons ask first, without inline handlers (the page runs under a strict CSP).
 * A <form data-confirm="question"> asks the question; when the user agrees the form is sent
 * with confirm=1, which the server requires before it deletes anything. Without JavaScript
 * the server answers the unconfirmed POST with a confirmation page instead. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) { return; }
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    var field = form.querySelector("input[name=confirm]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "confirm";
      form.appendChild(field);
    }
    field.value = "1";
  });
})();
