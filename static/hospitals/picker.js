// Search-as-you-type for <select data-hospital-picker>: the page carries only the chosen
// institution; typing asks data-search-url (JSON [{id, name}]) and lists the matches.
(function () {
  "use strict";
  function attach(select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1";
    input.placeholder = select.dataset.placeholder || "";
    input.setAttribute("aria-label", select.dataset.placeholder || "");
    select.parentNode.insertBefore(input, select);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = select.dataset.searchUrl + "?q=" + encodeURIComponent(input.value.trim());
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            var current = select.value;
            while (select.options.length > 1) select.remove(1);
            data.results.forEach(function (row) {
              var option = new Option(row.name, String(row.id), false, String(row.id) === current);
              select.add(option);
            });
          });
      }, 250);
    });
  }
  document.querySelectorAll("select[data-hospital-picker]").forEach(attach);
})();
