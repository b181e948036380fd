/* Autosave of checklist items on the inspection page.
 * Each item is its own <form data-autosave>; without JavaScript the "保存本项" button posts it
 * and the page comes back at the same item. With JavaScript a change is posted in the
 * background so a dropped connection or a closed tab loses at most the item in progress. */
(function () {
  "use strict";
  var hint = document.querySelector("[data-autosave-hint]");
  if (hint) { hint.hidden = false; }

  function toggleFailFields(form) {
    var checked = form.querySelector("input[name=result]:checked");
    var fieldset = form.querySelector(".fail-fields");
    if (fieldset) { fieldset.hidden = !(checked && checked.value === "fail"); }
  }

  function hasFiles(form) {
    var inputs = form.querySelectorAll("input[type=file]");
    for (var i = 0; i < inputs.length; i++) { if (inputs[i].files && inputs[i].files.length) { return true; } }
    return false;
  }

  function setState(form, text, isError) {
    var state = form.querySelector("[data-save-state]");
    if (state) {
      state.textContent = text;
      state.className = "small " + (isError ? "text-danger" : "text-muted");
    }
  }

  function save(form) {
    if (form.dataset.saving === "1") { form.dataset.pending = "1"; return; }
    form.dataset.saving = "1";
    setState(form, form.closest(".answer-card").dataset.savingText || "…", false);
    var withFiles = hasFiles(form);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      form.dataset.saving = "0";
      if (!result.ok || !result.data.ok) {
        setState(form, (result.data.errors || []).join(";"), true);
        return;
      }
      var card = form.closest(".answer-card");
      if (withFiles || !card.contains(document.activeElement)) {
        var wrapper = document.createElement("div");
        wrapper.innerHTML = result.data.html;
        var fresh = wrapper.firstElementChild;
        card.replaceWith(fresh);
        bind(fresh.querySelector("form[data-autosave]"));
        setState(fresh.querySelector("form[data-autosave]"), "✓", false);
      } else {
        setState(form, "✓", false);
      }
      if (form.dataset.pending === "1") { form.dataset.pending = "0"; save(form); }
    }).catch(function () {
      form.dataset.saving = "0";
      setState(form, "⚠", true);
    });
  }

  function bind(form) {
    if (!form) { return; }
    toggleFailFields(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "result") { toggleFailFields(form); }
      if (timer) { clearTimeout(timer); timer = null; }
      save(form);
    });
    // While typing a note or hazard details, save a moment after the last keystroke.
    var timer = null;
    form.addEventListener("input", function (event) {
      if (event.target.type === "file" || event.target.type === "radio" || event.target.type === "checkbox") { return; }
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () { timer = null; save(form); }, 1500);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form);
    });
  }

  document.querySelectorAll("form[data-autosave]").forEach(bind);
})();
