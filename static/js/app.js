// Site-wide behaviour without inline handlers or style attributes (every page runs under a
// strict Content-Security-Policy: no inline script, no on*= attribute, no style= attribute).
// Loaded by base.html on every page; page-specific scripts live next to their app.
// - <select data-autosubmit>: submit its form when the choice changes (language, filters).
// - <form data-confirm="question">: ask first; when the user agrees the form is sent with
//   confirm=1 (views that delete require it and otherwise answer with a confirmation page).
// - <button data-print>: print the page.
// - <div class="progress-bar" data-progress="42">: the bar's width in percent (set through the
//   CSSOM, which the policy allows, instead of a style= attribute).
// - <table class="table-cards">: below the md breakpoint each row is a card and each cell shows
//   its column name (app.css, `data-label`); a cell without its own data-label gets the text of
//   its column's header here, so templates need not repeat every header in every row.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });

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

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  function applyProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = parseFloat(bar.getAttribute("data-progress"));
      if (!isNaN(value)) {
        bar.style.width = Math.max(0, Math.min(100, value)) + "%";
      }
    });
  }

  function labelCells(root) {
    root.querySelectorAll("table.table-cards").forEach(function (table) {
      var headerRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!headerRow) { return; }
      var names = [];
      Array.prototype.forEach.call(headerRow.cells, function (th) {
        var name = (th.getAttribute("data-label") || th.textContent || "").replace(/\s+/g, " ").trim();
        for (var i = 0; i < (th.colSpan || 1); i++) { names.push(name); }
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label") && (cell.colSpan || 1) === 1 && names[column]) {
              cell.setAttribute("data-label", names[column]);
            }
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }

  applyProgress(document);
  labelCells(document);
  document.addEventListener("DOMContentLoaded", function () {
    applyProgress(document);
    labelCells(document);
  });
})();
