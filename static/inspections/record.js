/* Autosave of checklist items on the inspection page.
 *
 * Each item is its own <form data-autosave> inside an .answer-card; without JavaScript the
 * "保存本项" button posts the item with any chosen photos and the page comes back at the item.
 * With JavaScript:
 *  - every request of one card (field saves, photo uploads, photo deletes) goes through that
 *    card's queue, one at a time, so two saves of one item never race and a save never reads a
 *    form that a response is rewriting;
 *  - a field save posts the fields only (never the file inputs); a photo is posted on its own,
 *    one file per request, with a key made for that file when it was chosen, so a retry of the
 *    same file is stored once and a refused file cannot make later saves of the item fail;
 *  - the card element is never replaced: from the server's copy of the card only the badge,
 *    the "before submission" hints and the photo areas are taken, and after a field save the
 *    fields the user has not touched since that save started (so a note typed during an upload
 *    or a save is never overwritten);
 *  - deleting a photo asks first (data-confirm) and posts the confirmation.
 */
(function () {
  "use strict";
  var hint = document.querySelector("[data-autosave-hint]");
  if (hint) { hint.hidden = false; }

  var FILE_FIELDS = ["photos", "after_photos"];
  var NOT_MERGED = { csrfmiddlewaretoken: true, section: true, upload_key: true };
  var REGIONS = ["[data-status]", "[data-problems-area]", "[data-photo-area=finding]", "[data-photo-area=after]"];
  var RETRY_DELAYS = [1000, 3000];
  var states = new WeakMap();
  var pending = 0;

  function text(name, fallback) {
    return (hint && hint.getAttribute("data-text-" + name)) || fallback;
  }

  function stateOf(card) {
    var state = states.get(card);
    if (!state) {
      state = { chain: Promise.resolve(), saveQueued: false, edits: 0, editedAt: {}, timer: null };
      states.set(card, state);
    }
    return state;
  }

  /* Run `task` (a function returning a promise) after every earlier request of this card. */
  function enqueue(card, task) {
    var state = stateOf(card);
    pending += 1;
    state.chain = state.chain.then(function () {
      return task().catch(function () { /* each task reports its own failure */ });
    }).then(function () { pending -= 1; });
    return state.chain;
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function formOf(card) { return card.querySelector("form[data-autosave]"); }

  function attached(card) { return document.body.contains(card) && !!formOf(card); }

  function setState(card, message, isError) {
    var state = card.querySelector("[data-save-state]");
    if (state) {
      state.textContent = message;
      state.className = "small " + (isError ? "text-danger" : "text-muted");
    }
  }

  function showUploadError(card, kind, message) {
    var box = card.querySelector('[data-upload-error="' + kind + '"]');
    var input = card.querySelector('[data-photo-input="' + kind + '"]');
    if (box) { box.textContent = message; }
    if (input) { input.classList.toggle("is-invalid", !!message); }
  }

  function toggleFailFields(card) {
    var checked = card.querySelector("input[name=result]:checked");
    var fieldset = card.querySelector(".fail-fields");
    if (fieldset) { fieldset.hidden = !(checked && checked.value === "fail"); }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) {
        return { status: response.status, data: data };
      }, function () {
        return { status: response.status, data: { ok: false, errors: [String(response.status)] } };
      });
    });
  }

  function baseBody(card) {
    var form = formOf(card);
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    body.append("section", form.querySelector("input[name=section]").value);
    return body;
  }

  /* Take the server's copy of the card. Regions that hold no user input are always taken;
   * field values only when `started` is given (a field save's edit counter when its body was
   * read), and only for fields not edited since then and not being typed in now. */
  function merge(card, html, started) {
    var wrapper = document.createElement("div");
    wrapper.innerHTML = html;
    var fresh = wrapper.querySelector(".answer-card");
    if (!fresh) { return; }
    card.className = fresh.className;
    REGIONS.forEach(function (selector) {
      var mine = card.querySelector(selector);
      var theirs = fresh.querySelector(selector);
      if (mine && theirs) { mine.replaceWith(theirs); }
    });
    if (started === null || started === undefined) { return; }
    var state = stateOf(card);
    var form = formOf(card);
    fresh.querySelectorAll("form[data-autosave] [name]").forEach(function (theirs) {
      var name = theirs.name;
      if (!name || NOT_MERGED[name] || theirs.type === "file") { return; }
      if ((state.editedAt[name] || 0) > started) { return; }
      form.querySelectorAll("[name]").forEach(function (mine) {
        if (mine.name !== name || mine === document.activeElement) { return; }
        if (mine.type === "radio") {
          if (mine.value === theirs.value) { mine.checked = theirs.checked; }
        } else if (mine.type === "checkbox") {
          mine.checked = theirs.checked;
        } else if (mine.value !== theirs.value) {
          mine.value = theirs.value;
        }
      });
    });
    toggleFailFields(card);
  }

  function queueSave(card) {
    var state = stateOf(card);
    if (state.timer) { clearTimeout(state.timer); state.timer = null; }
    // A save already waiting reads the form when its turn comes: it carries this change too.
    if (state.saveQueued) { return; }
    state.saveQueued = true;
    enqueue(card, function () {
      state.saveQueued = false;
      if (!attached(card)) { return Promise.resolve(); }  // never post a detached form
      var form = formOf(card);
      var body = new FormData(form);
      FILE_FIELDS.forEach(function (name) { body.delete(name); });  // photos travel on their own
      body.delete("upload_key");
      var started = state.edits;
      setState(card, text("saving", "…"), false);
      return post(form.action, body).then(function (result) {
        var ok = result.status === 200 && result.data.ok;
        if (result.data.html) { merge(card, result.data.html, ok ? started : null); }
        if (ok) {
          setState(card, text("saved", "✓"), false);
        } else {
          setState(card, (result.data.errors || []).join(";"), true);
        }
      }, function () {
        setState(card, text("offline", "⚠"), true);
      });
    });
  }

  function sendPhoto(card, field, kind, file, key, attempt) {
    if (!attached(card)) { return Promise.resolve(); }
    var body = baseBody(card);
    body.append("upload_key", key);  // the same key on every retry of this file
    body.append(field, file, file.name);
    setState(card, text("uploading", "…"), false);
    return post(card.getAttribute("data-upload-url"), body).then(function (result) {
      if (result.data.html) { merge(card, result.data.html, null); }
      if (result.status === 200 && result.data.ok) {
        setState(card, text("saved", "✓"), false);
      } else {
        showUploadError(card, kind, (result.data.errors || []).join(";"));
        setState(card, "", false);
      }
    }, function () {
      if (attempt < RETRY_DELAYS.length) {
        return new Promise(function (resolve) {
          setTimeout(resolve, RETRY_DELAYS[attempt]);
        }).then(function () {
          return sendPhoto(card, field, kind, file, key, attempt + 1);
        });
      }
      showUploadError(card, kind, text("upload-offline", "⚠"));
      setState(card, "", false);
    });
  }

  function queuePhotos(card, input) {
    var kind = input.getAttribute("data-photo-input");
    var files = Array.prototype.slice.call(input.files || []);
    // The choice is taken now: nothing stays in the input to travel with a later request.
    input.value = "";
    showUploadError(card, kind, "");
    var state = stateOf(card);
    if (state.timer) { queueSave(card); }  // save what was typed before the photo first
    files.forEach(function (file) {
      var key = newKey();  // one key per chosen file
      enqueue(card, function () { return sendPhoto(card, input.name, kind, file, key, 0); });
    });
  }

  function deletePhoto(card, link) {
    if (!window.confirm(link.getAttribute("data-confirm"))) { return; }
    enqueue(card, function () {
      if (!attached(card)) { return Promise.resolve(); }
      var body = baseBody(card);
      body.append("confirm", "1");
      return post(link.href, body).then(function (result) {
        if (result.data.html) { merge(card, result.data.html, null); }
        if (!(result.status === 200 && result.data.ok)) {
          setState(card, (result.data.errors || []).join(";"), true);
        }
      }, function () {
        setState(card, text("offline", "⚠"), true);
      });
    });
  }

  function bind(card) {
    var form = formOf(card);
    if (!form) { return; }
    var state = stateOf(card);
    toggleFailFields(card);

    function edited(target) {
      state.edits += 1;
      state.editedAt[target.name] = state.edits;
    }

    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.type === "file") { queuePhotos(card, target); return; }
      if (!target.name) { return; }
      edited(target);
      if (target.name === "result") { toggleFailFields(card); }
      queueSave(card);
    });
    // While typing a note or hazard details, save a moment after the last keystroke.
    form.addEventListener("input", function (event) {
      var target = event.target;
      if (!target.name || target.type === "file" || target.type === "radio" || target.type === "checkbox") { return; }
      edited(target);
      if (state.timer) { clearTimeout(state.timer); }
      state.timer = setTimeout(function () { state.timer = null; queueSave(card); }, 1500);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      queueSave(card);
    });
    card.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-photo-delete]") : null;
      if (!link || !card.contains(link)) { return; }
      event.preventDefault();
      deletePhoto(card, link);
    });
  }

  document.querySelectorAll(".answer-card").forEach(bind);

  // Leaving while an item is still being saved would lose it: ask the browser to warn.
  window.addEventListener("beforeunload", function (event) {
    var typing = false;
    document.querySelectorAll(".answer-card").forEach(function (card) {
      if (stateOf(card).timer) { typing = true; }
    });
    if (pending > 0 || typing) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
