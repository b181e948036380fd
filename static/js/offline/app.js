// The offline inspections app (templates/inspections/offline.html).
//
// Online: the assignment list and each started inspection's checklist are fetched and kept in
// IndexedDB (db.js). Offline or not, every answer, photo (downscaled here with a canvas) and
// the submission is saved to IndexedDB first and queued in the outbox, each write with its own
// key (a UUID). When the connection is there, the outbox is posted in order, one inspection at
// a time, to inspections.offline.offline_sync, which applies every key exactly once. A 409
// (changed or submitted elsewhere) stops that inspection's queue and shows both versions; the
// person chooses, nothing is overwritten silently.
(function () {
  "use strict";
  var body = document.body;
  if (!body.hasAttribute("data-offline-app")) return;
  var DB = window.OfflineDB;
  var USER = parseInt(body.dataset.user, 10);
  var csrf = body.dataset.csrf;
  var MAX_SIDE = 1600;
  var BATCH = 50;
  var strings = {};
  document.getElementById("offline-strings").content.querySelectorAll("[data-s]").forEach(function (el) {
    strings[el.dataset.s] = el.textContent.trim();
  });
  var FIELDS = [
    "result", "note", "hazard_location", "hazard_description", "hazard_category",
    "hazard_risk_level", "hazard_deadline", "rectification_measures", "fixed_on_the_spot",
  ];
  var TEXT_INPUT_DELAY = 300;
  var syncing = false;
  var needsLogin = false;
  var unsaved = new Set(); // typing not yet written to IndexedDB (saved within 300 ms)
  var current = null;

  function t(key, params) {
    var text = strings[key] || key;
    Object.keys(params || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(params[name]));
    });
    return text;
  }

  function $(selector, root) { return (root || document).querySelector(selector); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // One outbox mutation at a time: a sync marking writes as sent never interleaves with a
  // keystroke updating the same write.
  var lockChain = Promise.resolve();
  function locked(fn) {
    var next = lockChain.then(fn, fn);
    lockChain = next.catch(function () {});
    return next;
  }

  function cloneTemplate(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }

  function showAlert(kind, message, link) {
    var box = $("[data-alert]");
    box.className = "alert alert-" + kind;
    box.textContent = message;
    if (link) {
      box.append(" ");
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      a.className = "alert-link";
      box.append(a);
    }
    if (!message) box.classList.add("d-none");
  }

  function showNetwork() {
    var online = navigator.onLine;
    var badge = $("[data-network]");
    badge.textContent = online ? t("online") : t("offline");
    badge.className = "badge " + (online ? "text-bg-success" : "text-bg-secondary");
    $("[data-offline-banner]").classList.toggle("d-none", online);
  }

  // ------------------------------------------------------------------------------------------
  // Server
  // ------------------------------------------------------------------------------------------
  function isLoginPage(response) {
    if (!response.redirected) return false;
    return new URL(response.url).pathname === body.dataset.loginUrl;
  }

  function loginNeeded() {
    needsLogin = true;
    showAlert("warning", t("login-needed"), {
      href: body.dataset.loginUrl + "?next=" + encodeURIComponent(body.dataset.shellUrl),
      text: t("login-link"),
    });
  }

  function getJSON(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (isLoginPage(response)) {
        loginNeeded();
        return null;
      }
      if (!response.ok) return null;
      needsLogin = false;
      return response.json();
    });
  }

  function postJSON(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrf,
        "X-Requested-With": "fetch",
      },
      body: JSON.stringify(payload),
    });
  }

  function inspectionRecord(id) {
    return DB.get("inspections", id).then(function (rec) {
      return rec && rec.user === USER ? rec : null;
    });
  }

  function storeInspectionData(data) {
    return inspectionRecord(data.id).then(function (rec) {
      rec = rec || { id: data.id, user: USER, local: {}, sent: {}, queued: false };
      rec.data = data;
      rec.stored_at = new Date().toISOString();
      return DB.put("inspections", rec).then(function () { return rec; });
    });
  }

  // Online: refresh the assignment list and every started inspection of it in IndexedDB.
  function refreshFromServer() {
    if (!navigator.onLine) return Promise.resolve(null);
    return getJSON(body.dataset.assignmentsUrl)
      .then(function (list) {
        if (!list) return null;
        csrf = list.csrf || csrf;
        return DB.put("meta", { k: "assignments-" + USER, v: list }).then(function () {
          var ids = [];
          list.assignments.forEach(function (a) { if (a.inspection) ids.push(a.inspection); });
          list.drafts.forEach(function (d) { if (ids.indexOf(d.id) < 0) ids.push(d.id); });
          return Promise.all(ids.map(downloadInspection)).then(function () { return list; });
        });
      })
      .catch(function () { return null; });
  }

  function downloadInspection(id) {
    return getJSON(dataUrl(id)).then(function (data) {
      return data ? storeInspectionData(data) : null;
    });
  }

  function dataUrl(id) {
    return body.dataset.shellUrl.replace(/offline\/$/, id + "/offline/");
  }

  // Keep the shell and the files it uses for offline (the service worker answers).
  function cacheShell() {
    if (!("serviceWorker" in navigator) || !navigator.onLine) {
      return Promise.resolve();
    }
    var urls = [body.dataset.shellUrl, body.dataset.fallbackUrl];
    document.querySelectorAll("link[rel=stylesheet], link[rel=manifest], link[rel=icon]").forEach(
      function (link) { urls.push(link.getAttribute("href")); }
    );
    document.querySelectorAll("script[src]").forEach(function (script) {
      urls.push(script.getAttribute("src"));
    });
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { resolve(); };
        registration.active.postMessage({ type: "cache-urls", urls: urls }, [channel.port2]);
        setTimeout(resolve, 10000);
      });
    });
  }

  // ------------------------------------------------------------------------------------------
  // The list
  // ------------------------------------------------------------------------------------------
  function showView(name) {
    document.querySelectorAll("[data-view]").forEach(function (view) {
      view.classList.toggle("d-none", view.dataset.view !== name);
    });
  }

  function renderList() {
    showView("list");
    current = null;
    return Promise.all([DB.get("meta", "assignments-" + USER), DB.all("inspections")]).then(
      function (results) {
        var list = (results[0] && results[0].v) || { assignments: [], drafts: [] };
        var local = {};
        results[1].forEach(function (rec) { if (rec.user === USER) local[rec.id] = rec; });
        var box = $("[data-assignments]");
        box.replaceChildren();
        var shown = {};
        list.assignments.forEach(function (a) {
          var card = cloneTemplate("tpl-assignment");
          $("[data-hospital]", card).textContent = a.hospital;
          $("[data-meta]", card).textContent = a.kind + " · " + t("due", { date: a.due_date });
          fillCardAction(card, a.inspection, local, a, list);
          if (a.inspection) shown[a.inspection] = true;
          shown[localId(a)] = true;
          box.append(card);
        });
        list.drafts.forEach(function (d) {
          if (shown[d.id]) return;
          shown[d.id] = true;
          var card = cloneTemplate("tpl-assignment");
          $("[data-hospital]", card).textContent = d.hospital;
          $("[data-meta]", card).textContent = d.kind + " · " + t("draft", { date: d.inspected_on });
          fillCardAction(card, d.id, local, null);
          box.append(card);
        });
        Object.keys(local).forEach(function (id) {
          if (shown[id]) return;
          var rec = local[id];
          if (!rec.queued && !hasLocal(rec)) return;
          var card = cloneTemplate("tpl-assignment");
          $("[data-hospital]", card).textContent = rec.data.hospital;
          $("[data-meta]", card).textContent =
            t("local-inspection") + " · " + rec.data.kind + " · " + rec.data.inspected_on;
          fillCardAction(card, rec.id, local, null);
          box.append(card);
        });
        $("[data-assignments-empty]").classList.toggle("d-none", box.children.length > 0);
      }
    );
  }

  function hasLocal(rec) {
    return Object.keys(rec.local || {}).length > 0;
  }

  function fillCardAction(card, inspectionId, local, assignment, list) {
    var open = $("[data-open]", card);
    var start = $("[data-start]", card);
    var note = $("[data-note]", card);
    if (!inspectionId && assignment && local[localId(assignment)]) {
      inspectionId = localId(assignment); // started on this phone, not yet synced
    }
    if (inspectionId && local[inspectionId]) {
      open.href = "#inspection-" + inspectionId;
      open.classList.remove("d-none");
      var rec = local[inspectionId];
      note.textContent = rec.queued ? t("queued") : rec.data.status !== "draft" ? t("submitted-done") : t("stored");
      note.className = "small mt-1 text-success";
    } else if (assignment && !inspectionId) {
      start.classList.remove("d-none");
      start.addEventListener("click", function () {
        if (!navigator.onLine && assignment.checklist) startOffline(assignment, list);
        else startAssignment(assignment, start);
      });
      if (assignment.checklist) {
        note.textContent = t("can-start-offline");
        note.className = "small mt-1 text-success";
      }
    } else {
      note.textContent = t("not-stored");
      note.className = "small mt-1 text-muted";
    }
  }

  function localId(assignment) {
    return "assignment-" + assignment.id;
  }

  function localDate() {
    var now = new Date();
    var pad = function (n) { return ("0" + n).slice(-2); };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  // No connection: the inspection is started on the phone from the checklist the assignment
  // list brought; the server starts it with the first sync (offline_assignment_sync).
  function startOffline(assignment, list) {
    var answers = {};
    assignment.checklist.sections.forEach(function (section) {
      section.items.forEach(function (item) {
        answers[String(item.id)] = {
          result: "", note: "", hazard_location: "", hazard_description: "",
          hazard_category: item.category, hazard_risk_level: item.risk, hazard_deadline: "",
          rectification_measures: "", fixed_on_the_spot: false, version: null, photos: 0,
        };
      });
    });
    var id = localId(assignment);
    var rec = {
      id: id, user: USER, local: {}, sent: {}, queued: false,
      data: {
        id: id, hospital: assignment.hospital, kind: assignment.inspection_kind,
        inspected_on: localDate(), location: "", status: "draft",
        status_label: t("started-here"), editable: true, refusal: "", detail_url: "",
        sync_url: assignment.sync_url, sections: assignment.checklist.sections,
        answers: answers, choices: list.choices,
      },
    };
    return DB.put("inspections", rec).then(function () {
      location.hash = "#inspection-" + id;
    });
  }

  function startAssignment(assignment, button) {
    if (!navigator.onLine) {
      showAlert("warning", t("need-network"));
      return;
    }
    button.disabled = true;
    postJSON(assignment.start_url, {})
      .then(function (response) {
        if (isLoginPage(response)) {
          loginNeeded();
          return null;
        }
        return response.json().then(function (json) {
          if (!response.ok) {
            showAlert("danger", t("start-failed") + (json.error || response.status));
            return null;
          }
          return downloadInspection(json.inspection).then(function () {
            return refreshFromServer();
          }).then(function () {
            location.hash = "#inspection-" + json.inspection;
          });
        });
      })
      .catch(function () { showAlert("warning", t("need-network")); })
      .finally(function () { button.disabled = false; });
  }

  // ------------------------------------------------------------------------------------------
  // One inspection
  // ------------------------------------------------------------------------------------------
  function valueOf(rec, itemId) {
    var local = rec.local && rec.local[itemId];
    if (local) return local;
    var server = rec.data.answers[String(itemId)] || {};
    var fields = {};
    FIELDS.forEach(function (name) {
      fields[name] = server[name] === undefined ? "" : server[name];
    });
    fields.fixed_on_the_spot = !!server.fixed_on_the_spot;
    return fields;
  }

  function isReadOnly(rec) {
    return rec.queued || rec.data.status !== "draft" || !rec.data.editable;
  }

  function allItems(rec) {
    var items = [];
    rec.data.sections.forEach(function (section) {
      section.items.forEach(function (item) { items.push(item); });
    });
    return items;
  }

  function openInspection(id) {
    return inspectionRecord(id).then(function (rec) {
      if (!rec) {
        showAlert("warning", t("not-local"));
        return renderList();
      }
      current = rec;
      showView("inspection");
      return DB.byIndex("photos", "inspection", id).then(function (photos) {
        renderInspection(rec, photos.filter(function (p) { return p.user === USER; }));
      });
    });
  }

  function renderInspection(rec, photos) {
    var data = rec.data;
    $("[data-title]").textContent = data.hospital;
    $("[data-subtitle]").textContent = data.kind + " · " + data.inspected_on + " · " + data.status_label;
    var readonly = $("[data-readonly]");
    var ro = isReadOnly(rec);
    readonly.classList.toggle("d-none", !ro);
    if (rec.queued) readonly.textContent = t("readonly-queued");
    else if (data.status !== "draft") readonly.textContent = t("readonly-submitted");
    else if (!data.editable) readonly.textContent = t("readonly-refused") + data.refusal;
    $("[data-all-pass]").disabled = ro;
    $("[data-submit]").disabled = ro;
    var container = $("[data-sections]");
    container.replaceChildren();
    data.sections.forEach(function (section) {
      var block = cloneTemplate("tpl-section");
      $("[data-section-title]", block).textContent = section.title;
      var items = $("[data-items]", block);
      section.items.forEach(function (item) {
        items.append(renderItem(rec, item, photos, ro));
      });
      container.append(block);
    });
    updateProgress(rec);
  }

  function fillChoices(select, choices) {
    var blank = document.createElement("option");
    blank.value = "";
    blank.textContent = "—";
    select.append(blank);
    choices.forEach(function (choice) {
      var option = document.createElement("option");
      option.value = choice[0];
      option.textContent = choice[1];
      select.append(option);
    });
  }

  function renderItem(rec, item, photos, readonly) {
    var card = cloneTemplate("tpl-item");
    card.id = "offline-item-" + item.id;
    card.dataset.item = item.id;
    $("[data-code]", card).textContent = item.code;
    $("[data-text]", card).textContent = item.text;
    if (item.guidance) $("[data-guidance]", card).textContent = item.guidance;
    else $("[data-guidance-wrap]", card).remove();
    var values = valueOf(rec, item.id);
    var results = $("[data-results]", card);
    rec.data.choices.result.forEach(function (choice) {
      var id = "r-" + item.id + "-" + choice[0];
      var input = document.createElement("input");
      input.type = "radio";
      input.className = "btn-check";
      input.name = "result-" + item.id;
      input.id = id;
      input.value = choice[0];
      input.checked = values.result === choice[0];
      input.disabled = readonly;
      var label = document.createElement("label");
      label.htmlFor = id;
      label.className = "btn btn-sm " + (choice[0] === "fail" ? "btn-outline-danger" : choice[0] === "pass" ? "btn-outline-success" : "btn-outline-secondary");
      label.textContent = choice[1];
      input.addEventListener("change", function () {
        var fields = collect(card, rec, item);
        if (fields.result === "fail") prefillHazard(card, rec, item, fields);
        saveItem(rec, item, collect(card, rec, item), card);
      });
      results.append(input, label);
    });
    card.querySelectorAll("[data-choices]").forEach(function (select) {
      fillChoices(select, rec.data.choices[select.dataset.choices]);
    });
    card.querySelectorAll("[data-field]").forEach(function (input) {
      var name = input.dataset.field;
      if (input.type === "checkbox") input.checked = !!values[name];
      else input.value = values[name] || "";
      input.disabled = readonly;
      var timer = null;
      var save = function () {
        clearTimeout(timer);
        timer = null;
        unsaved.delete(save);
        saveItem(rec, item, collect(card, rec, item), card);
      };
      var typing = input.tagName === "TEXTAREA" ||
        (input.tagName === "INPUT" && ["checkbox", "date"].indexOf(input.type) < 0);
      if (typing) {
        input.addEventListener("input", function () {
          clearTimeout(timer);
          unsaved.add(save);
          timer = setTimeout(save, TEXT_INPUT_DELAY);
        });
        input.addEventListener("blur", function () { if (timer) save(); });
      }
      input.addEventListener("change", save);
    });
    card.querySelectorAll("[data-photo]").forEach(function (input) {
      input.disabled = readonly;
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files || []);
        input.value = "";
        addPhotos(rec, item, input.dataset.photo, files, card);
      });
    });
    var server = rec.data.answers[String(item.id)] || {};
    if (server.photos) {
      $("[data-server-photos]", card).textContent = t("server-photos", { count: server.photos });
    }
    photos.filter(function (p) { return p.item === item.id; }).forEach(function (photo) {
      addThumb(card, photo);
    });
    showHazard(card, values);
    var hasPhotos = server.photos || photos.some(function (p) { return p.item === item.id; });
    if ((values.result === "pass" || values.result === "na") && !values.note && !hasPhotos) {
      card.classList.add("offline-compact");
    }
    if (readonly) $("[data-expand]", card).remove();
    else $("[data-expand]", card).addEventListener("click", function () {
      card.classList.remove("offline-compact");
    });
    return card;
  }

  function collect(card, rec, item) {
    var fields = valueOf(rec, item.id);
    fields = Object.assign({}, fields);
    var checked = card.querySelector("input.btn-check:checked");
    fields.result = checked ? checked.value : "";
    card.querySelectorAll("[data-field]").forEach(function (input) {
      fields[input.dataset.field] = input.type === "checkbox" ? input.checked : input.value;
    });
    return fields;
  }

  function prefillHazard(card, rec, item, fields) {
    var description = $("[data-field=hazard_description]", card);
    if (!description.value.trim()) description.value = fields.note || item.text;
    var location = $("[data-field=hazard_location]", card);
    if (!location.value.trim() && rec.data.location) location.value = rec.data.location;
  }

  function showHazard(card, values) {
    var failed = values.result === "fail";
    $("[data-hazard]", card).classList.toggle("d-none", !failed);
    if (failed) card.classList.remove("offline-compact");
    $("[data-after-wrap]", card).classList.toggle("d-none", !(failed && values.fixed_on_the_spot));
    card.classList.toggle("border-danger", failed);
    card.classList.toggle("offline-answered", !!values.result);
  }

  function serverVersion(rec, itemId) {
    var server = rec.data.answers[String(itemId)];
    return server ? server.version : null;
  }

  function saveItem(rec, item, fields, card) {
    rec.local = rec.local || {};
    rec.local[item.id] = fields;
    showHazard(card, fields);
    return locked(function () {
      // The stored record, not this page's copy: a sync may have updated it meanwhile.
      return inspectionRecord(rec.id).then(function (fresh) {
        fresh = fresh || rec;
        fresh.local = fresh.local || {};
        fresh.local[item.id] = fields;
        return DB.put("inspections", fresh).then(function () {
          return queueAnswer(fresh, item.id, fields);
        });
      });
    }).then(function () {
      $("[data-saved]", card).textContent = t("saved");
      updateProgress(rec);
      renderOutbox();
      scheduleSync();
    });
  }

  // (inside the lock) update the unsent write of this item, or queue a new one.
  function queueAnswer(rec, itemId, fields) {
    return DB.all("outbox").then(function (ops) {
      var open = ops.filter(function (op) {
        return op.user === USER && op.inspection === rec.id && op.type === "answer" &&
          op.item === itemId && op.state === "pending";
      })[0];
      var now = new Date().toISOString();
      if (open) {
        open.fields = fields;
        open.device_time = now;
        return DB.put("outbox", open);
      }
      return DB.put("outbox", {
        user: USER,
        inspection: rec.id,
        type: "answer",
        key: uuid(),
        item: itemId,
        base: serverVersion(rec, itemId),
        after: ((rec.sent || {})[itemId] || []).slice(-20),
        fields: fields,
        state: "pending",
        device_time: now,
      });
    });
  }

  function updateProgress(rec) {
    var items = allItems(rec);
    var done = items.filter(function (item) { return valueOf(rec, item.id).result; }).length;
    $("[data-progress]").textContent = t("progress", { done: done, total: items.length });
  }

  function markRemainingPass() {
    var rec = current;
    if (!rec || isReadOnly(rec)) return;
    var count = 0;
    var chain = Promise.resolve();
    allItems(rec).forEach(function (item) {
      var card = document.getElementById("offline-item-" + item.id);
      if (valueOf(rec, item.id).result || !card) return;
      var pass = card.querySelector("input.btn-check[value=pass]");
      pass.checked = true;
      card.classList.add("offline-compact");
      count += 1;
      var fields = collect(card, rec, item);
      chain = chain.then(function () { return saveItem(rec, item, fields, card); });
    });
    chain.then(function () {
      showAlert("success", t("all-pass-done", { count: count }));
    });
  }

  // ------------------------------------------------------------------------------------------
  // Photos: downscaled on the phone, kept in IndexedDB until the server has them
  // ------------------------------------------------------------------------------------------
  function downscale(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob);
          else reject(new Error("toBlob"));
        }, "image/jpeg", 0.82);
      });
    });
  }

  function position() {
    if (!navigator.geolocation) return Promise.resolve(null);
    var ask = function () {
      return new Promise(function (resolve) {
        navigator.geolocation.getCurrentPosition(
          function (pos) {
            resolve({
              latitude: pos.coords.latitude,
              longitude: pos.coords.longitude,
              accuracy: pos.coords.accuracy,
            });
          },
          function () { resolve(null); },
          { enableHighAccuracy: true, timeout: 6000, maximumAge: 120000 }
        );
      });
    };
    if (!navigator.permissions) return ask();
    return navigator.permissions.query({ name: "geolocation" }).then(function (status) {
      return status.state === "denied" ? null : ask();
    }, ask);
  }

  function addPhotos(rec, item, kind, files, card) {
    var chain = Promise.resolve();
    files.forEach(function (file) {
      chain = chain.then(function () {
        var capturedAt = new Date(file.lastModified || Date.now()).toISOString();
        return Promise.all([downscale(file), position()]).then(function (results) {
          var where = results[1] || {};
          var photo = {
            key: uuid(),
            user: USER,
            inspection: rec.id,
            item: item.id,
            kind: kind,
            blob: results[0],
            name: (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg",
            captured_at: capturedAt,
            latitude: where.latitude === undefined ? null : where.latitude,
            longitude: where.longitude === undefined ? null : where.longitude,
            accuracy: where.accuracy === undefined ? null : where.accuracy,
          };
          return locked(function () {
            return DB.put("photos", photo).then(function () {
              return DB.put("outbox", {
                user: USER,
                inspection: rec.id,
                type: "photo",
                key: photo.key,
                item: item.id,
                kind: kind,
                state: "pending",
                device_time: new Date().toISOString(),
              });
            });
          }).then(function () {
            addThumb(card, photo);
            $("[data-saved]", card).textContent = t("saved");
          });
        }).catch(function () {
          $("[data-item-problems]", card).textContent = t("photo-failed");
        });
      });
    });
    return chain.then(function () {
      renderOutbox();
      scheduleSync();
    });
  }

  function blobToDataURL(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  function addThumb(card, photo) {
    blobToDataURL(photo.blob).then(function (url) {
      var img = document.createElement("img");
      img.src = url;
      img.alt = photo.name;
      img.className = "offline-thumb rounded border";
      $("[data-thumbs]", card).append(img);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Submitting (queued like every other write)
  // ------------------------------------------------------------------------------------------
  function submissionProblems(rec, photos) {
    var problems = [];
    var unanswered = 0;
    allItems(rec).forEach(function (item) {
      var v = valueOf(rec, item.id);
      if (!v.result) {
        unanswered += 1;
        return;
      }
      if (v.result !== "fail") return;
      var reasons = [];
      if (!String(v.hazard_location || "").trim()) reasons.push(t("need-location"));
      if (!String(v.hazard_description || "").trim()) reasons.push(t("need-description"));
      if (!v.hazard_category) reasons.push(t("need-category"));
      if (!v.hazard_risk_level) reasons.push(t("need-risk"));
      if (v.fixed_on_the_spot) {
        var server = rec.data.answers[String(item.id)] || {};
        var after = photos.filter(function (p) { return p.item === item.id && p.kind === "after"; });
        if (!after.length && !server.photos) reasons.push(t("need-after"));
        if (v.hazard_risk_level === "major") reasons.push(t("major-fixed"));
      }
      if (reasons.length) problems.push(item.code + " " + reasons.join(";"));
    });
    if (unanswered) problems.unshift(t("unanswered", { count: unanswered }));
    return problems;
  }

  function submit() {
    var rec = current;
    if (!rec || isReadOnly(rec)) return;
    DB.byIndex("photos", "inspection", rec.id).then(function (photos) {
      var problems = submissionProblems(rec, photos);
      var list = $("[data-submit-problems]");
      list.replaceChildren();
      list.classList.toggle("d-none", !problems.length);
      if (problems.length) {
        problems.forEach(function (problem) {
          var li = document.createElement("li");
          li.textContent = problem;
          list.append(li);
        });
        return null;
      }
      return locked(function () {
        rec.queued = true;
        return inspectionRecord(rec.id).then(function (fresh) {
          fresh = fresh || rec;
          fresh.queued = true;
          return DB.put("inspections", fresh);
        }).then(function () {
          return DB.put("outbox", {
            user: USER,
            inspection: rec.id,
            type: "submit",
            key: uuid(),
            state: "pending",
            device_time: new Date().toISOString(),
          });
        });
      }).then(function () {
        showAlert("info", t("queued"));
        renderInspection(rec, photos);
        renderOutbox();
        scheduleSync();
      });
    });
  }

  // ------------------------------------------------------------------------------------------
  // The outbox
  // ------------------------------------------------------------------------------------------
  function myOps() {
    return DB.all("outbox").then(function (ops) {
      return ops.filter(function (op) { return op.user === USER; }).sort(function (a, b) {
        return a.seq - b.seq;
      });
    });
  }

  function itemCode(rec, itemId) {
    if (!rec) return "";
    var found = allItems(rec).filter(function (item) { return item.id === itemId; })[0];
    return found ? found.code : "";
  }

  function resultLabel(rec, value) {
    var found = (rec ? rec.data.choices.result : []).filter(function (c) { return c[0] === value; })[0];
    return found ? found[1] : t("empty-value");
  }

  var STATE_BADGES = {
    pending: "text-bg-warning",
    sending: "text-bg-info",
    conflict: "text-bg-danger",
    error: "text-bg-danger",
    blocked: "text-bg-danger",
  };

  function renderOutbox() {
    return Promise.all([myOps(), DB.all("inspections")]).then(function (results) {
      var ops = results[0];
      var recs = {};
      results[1].forEach(function (rec) { recs[rec.id] = rec; });
      $("[data-outbox-count]").textContent = String(ops.length);
      var list = $("[data-outbox]");
      list.replaceChildren();
      $("[data-outbox-empty]").classList.toggle("d-none", ops.length > 0);
      ops.forEach(function (op) {
        var rec = recs[op.inspection];
        var row = cloneTemplate("tpl-outbox");
        row.dataset.state = op.state;
        var what = t("op-" + op.type);
        if (op.item) what += " " + itemCode(rec, op.item);
        $("[data-label]", row).textContent = (rec ? rec.data.hospital + " · " : "") + what;
        var badge = $("[data-state]", row);
        badge.textContent = t("state-" + op.state);
        badge.className = "badge " + (STATE_BADGES[op.state] || "text-bg-secondary");
        if (op.message) {
          var message = $("[data-message]", row);
          message.classList.remove("d-none");
          message.textContent = op.message;
          (op.problems || []).forEach(function (problem) {
            var line = document.createElement("div");
            line.textContent = problem;
            message.append(line);
          });
        }
        var actions = $("[data-actions]", row);
        if (op.conflict) {
          var box = $("[data-conflict]", row);
          box.classList.remove("d-none");
          var theirs = document.createElement("div");
          theirs.textContent = t("server-has", {
            result: resultLabel(rec, op.conflict.result),
            note: op.conflict.note || t("empty-value"),
          });
          var mine = document.createElement("div");
          mine.textContent = t("mine-has", {
            result: resultLabel(rec, op.fields.result),
            note: op.fields.note || t("empty-value"),
          });
          box.append(theirs, mine);
          var show = document.createElement("a");
          show.href = "#inspection-" + op.inspection;
          show.className = "btn btn-sm btn-link";
          show.textContent = t("show-item");
          show.addEventListener("click", function () {
            setTimeout(function () {
              var card = document.getElementById("offline-item-" + op.item);
              if (card) card.scrollIntoView({ block: "center" });
            }, 200);
          });
          actions.append(
            button(t("keep-mine"), "btn-outline-primary", function () { keepMine(op); }),
            button(t("take-server"), "btn-outline-secondary", function () { takeServer(op); }),
            show
          );
        } else if (op.state === "conflict" || op.state === "error" || op.state === "blocked") {
          if (op.detail_url) {
            var link = document.createElement("a");
            link.href = op.detail_url;
            link.className = "btn btn-sm btn-outline-primary";
            link.textContent = t("view-detail");
            actions.append(link);
          }
          if (op.state !== "conflict" || !op.detail_url) {
            actions.append(button(t("retry"), "btn-outline-primary", function () { retry(op); }));
          }
          actions.append(button(t("discard"), "btn-outline-danger", function () { discard(op); }));
        }
        list.append(row);
      });
    });
  }

  function button(text, kind, handler) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm " + kind;
    b.textContent = text;
    b.addEventListener("click", handler);
    return b;
  }

  function releaseInspection(inspectionId) {
    // Writes held back only because an earlier one of the same inspection stopped the queue.
    return DB.all("outbox").then(function (ops) {
      return Promise.all(ops.filter(function (op) {
        return op.user === USER && op.inspection === inspectionId && op.state === "conflict" &&
          !op.conflict && !op.detail_url;
      }).map(function (op) {
        op.state = "pending";
        op.message = "";
        return DB.put("outbox", op);
      }));
    });
  }

  function keepMine(op) {
    locked(function () {
      op.base = op.conflict.version; // the person saw the server's version and chose theirs
      op.conflict = null;
      op.state = "pending";
      op.message = "";
      return DB.put("outbox", op).then(function () { return releaseInspection(op.inspection); });
    }).then(afterDecision);
  }

  function takeServer(op) {
    locked(function () {
      return inspectionRecord(op.inspection).then(function (rec) {
        if (rec) {
          var version = op.conflict;
          rec.data.answers[String(op.item)] = Object.assign(
            {}, rec.data.answers[String(op.item)] || {}, version
          );
          if (rec.local) delete rec.local[op.item];
        }
        return (rec ? DB.put("inspections", rec) : Promise.resolve())
          .then(function () { return DB.delete("outbox", op.seq); })
          .then(function () { return releaseInspection(op.inspection); });
      });
    }).then(afterDecision);
  }

  function retry(op) {
    locked(function () {
      op.state = "pending";
      op.message = "";
      op.problems = [];
      return DB.put("outbox", op).then(function () { return releaseInspection(op.inspection); });
    }).then(afterDecision);
  }

  function discard(op) {
    if (!window.confirm(t("confirm-discard"))) return;
    locked(function () {
      var chain = DB.delete("outbox", op.seq);
      if (op.type === "photo") chain = chain.then(function () { return DB.delete("photos", op.key); });
      if (op.type === "submit") {
        chain = chain.then(function () { return inspectionRecord(op.inspection); }).then(function (rec) {
          if (!rec) return null;
          rec.queued = false;
          return DB.put("inspections", rec);
        });
      }
      return chain.then(function () { return releaseInspection(op.inspection); });
    }).then(afterDecision);
  }

  function afterDecision() {
    renderOutbox();
    route();
    sync();
  }

  // ------------------------------------------------------------------------------------------
  // Sync
  // ------------------------------------------------------------------------------------------
  var syncTimer = null;
  function scheduleSync() {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(sync, 1500);
  }

  function setSyncStatus(text) {
    $("[data-sync-status]").textContent = text;
  }

  function payloadOf(op) {
    if (op.type === "answer") {
      return Promise.resolve({
        type: "answer",
        key: op.key,
        item: op.item,
        base: op.base,
        after: op.after || [],
        fields: op.fields,
        device_time: op.device_time,
      });
    }
    if (op.type === "photo") {
      return DB.get("photos", op.key).then(function (photo) {
        if (!photo) return null;
        return blobToDataURL(photo.blob).then(function (url) {
          return {
            type: "photo",
            key: op.key,
            item: op.item,
            kind: photo.kind,
            name: photo.name,
            data: url.split(",", 2)[1],
            captured_at: photo.captured_at,
            latitude: photo.latitude,
            longitude: photo.longitude,
            accuracy: photo.accuracy,
            device_time: op.device_time,
          };
        });
      });
    }
    return Promise.resolve({ type: "submit", key: op.key, device_time: op.device_time });
  }

  // The next batch of one inspection: consecutive answers (up to BATCH), or one photo, or
  // the submission. null when its queue is empty or stopped by a conflict or error.
  function nextBatch(inspectionId) {
    return myOps().then(function (ops) {
      ops = ops.filter(function (op) { return op.inspection === inspectionId; });
      if (!ops.length) return null;
      if (ops[0].state !== "pending" && ops[0].state !== "sending") return null;
      if (ops[0].type !== "answer") return [ops[0]];
      var batch = [];
      for (var i = 0; i < ops.length && batch.length < BATCH; i++) {
        if (ops[i].type !== "answer" || (ops[i].state !== "pending" && ops[i].state !== "sending")) break;
        batch.push(ops[i]);
      }
      return batch;
    });
  }

  function markSending(batch) {
    return locked(function () {
      return inspectionRecord(batch[0].inspection).then(function (rec) {
        var chain = Promise.resolve();
        batch.forEach(function (op) {
          op.state = "sending";
          if (rec && op.type === "answer") {
            rec.sent = rec.sent || {};
            rec.sent[op.item] = (rec.sent[op.item] || []).concat([op.key]).slice(-20);
          }
          chain = chain.then(function () { return DB.put("outbox", op); });
        });
        return chain.then(function () { return rec ? DB.put("inspections", rec) : null; });
      });
    });
  }

  function setState(batch, state, extra) {
    return locked(function () {
      return Promise.all(batch.map(function (op) {
        return DB.get("outbox", op.seq).then(function (stored) {
          if (!stored) return null;
          Object.assign(stored, { state: state }, extra ? extra(stored) : {});
          return DB.put("outbox", stored);
        });
      }));
    });
  }

  function applied(inspectionId, keys, data) {
    return locked(function () {
      return Promise.all([myOps(), inspectionRecord(inspectionId)]).then(function (results) {
        var ops = results[0];
        var rec = results[1];
        var done = ops.filter(function (op) { return keys.indexOf(op.key) >= 0; });
        var chain = Promise.resolve();
        done.forEach(function (op) {
          chain = chain.then(function () { return DB.delete("outbox", op.seq); });
          if (op.type === "photo") {
            chain = chain.then(function () { return DB.delete("photos", op.key); });
          }
        });
        return chain.then(function () {
          if (!rec) return inspectionId;
          var left = ops.filter(function (op) {
            return op.inspection === inspectionId && keys.indexOf(op.key) < 0;
          });
          if (data && data.id !== inspectionId) {
            return migrate(rec, data, left).then(function () { return data.id; });
          }
          if (data) {
            rec.data = data;
            Object.keys(rec.local || {}).forEach(function (itemId) {
              var waiting = left.some(function (op) {
                return op.type === "answer" && String(op.item) === String(itemId);
              });
              if (!waiting) delete rec.local[itemId];
            });
            if (data.status !== "draft") rec.queued = false;
          }
          // Writes queued while this batch travelled keep their "after" chain; later ones
          // start from the version the server now has.
          return DB.put("inspections", rec).then(function () { return inspectionId; });
        });
      });
    });
  }

  // (inside the lock) an inspection started on the phone now has its server id: move the
  // record, its remaining writes and its photos over to it.
  function migrate(rec, data, left) {
    var oldId = rec.id;
    return DB.get("inspections", data.id).then(function (existing) {
      var moved = Object.assign({}, rec, { id: data.id, data: data });
      moved.local = Object.assign({}, (existing && existing.local) || {}, rec.local || {});
      if (data.status !== "draft") moved.queued = false;
      var chain = DB.put("inspections", moved).then(function () {
        return DB.delete("inspections", oldId);
      });
      left.forEach(function (op) {
        chain = chain.then(function () {
          op.inspection = data.id;
          return DB.put("outbox", op);
        });
      });
      return chain.then(function () { return DB.byIndex("photos", "inspection", oldId); })
        .then(function (photos) {
          return Promise.all(photos.map(function (photo) {
            photo.inspection = data.id;
            return DB.put("photos", photo);
          }));
        })
        .then(function () {
          if (current && current.id === oldId) {
            current.id = data.id;
            history.replaceState(null, "", "#inspection-" + data.id);
          }
        });
    });
  }

  function syncInspection(inspectionId) {
    return nextBatch(inspectionId).then(function (batch) {
      if (!batch || !batch.length) return "done";
      return markSending(batch)
        .then(function () { return Promise.all(batch.map(payloadOf)); })
        .then(function (payloads) {
          payloads = payloads.filter(Boolean);
          if (!payloads.length) {
            return applied(inspectionId, batch.map(function (op) { return op.key; }), null)
              .then(function () { return syncInspection(inspectionId); });
          }
          return inspectionRecord(inspectionId).then(function (rec) {
            var url = rec ? rec.data.sync_url : dataUrl(inspectionId) + "sync/";
            return postJSON(url, { ops: payloads });
          }).then(function (response) {
            return handleResponse(inspectionId, batch, response);
          }, function () {
            return setState(batch, "pending").then(function () { return "offline"; });
          });
        });
    });
  }

  function handleResponse(inspectionId, batch, response) {
    if (isLoginPage(response) || response.status === 403 && !isJSON(response)) {
      loginNeeded();
      return setState(batch, "pending").then(function () { return "login"; });
    }
    if (response.status === 404 && !isJSON(response)) {
      // Deleted, or no longer the person's to see: stop here and say so.
      return setState(batch, "error", function () { return { message: t("not-found") }; })
        .then(function () { return "stopped"; });
    }
    if (!isJSON(response)) {
      var text = t("server-error", { status: response.status });
      return setState(batch, "pending", function () { return { message: text }; })
        .then(function () { return "error"; });
    }
    return response.json().then(function (json) {
      if (response.status === 200 || response.status === 422) {
        var keys = (json.applied || []).concat(json.skipped || []);
        return applied(inspectionId, keys, json.inspection).then(function (nextId) {
          inspectionId = nextId;
          if (response.status === 422) {
            var rest = batch.filter(function (op) { return keys.indexOf(op.key) < 0; });
            return setState(rest, "blocked", function () {
              return { message: json.error, problems: json.problems || [] };
            }).then(function () { return "stopped"; });
          }
          return syncInspection(inspectionId);
        });
      }
      if (response.status === 409) {
        var byKey = {};
        (json.conflicts || []).forEach(function (c) { byKey[c.key] = c.server; });
        var stop = json.submitted ? myOps().then(function (ops) {
          return ops.filter(function (op) { return op.inspection === inspectionId; });
        }) : Promise.resolve(batch);
        return stop.then(function (ops) {
          return setState(ops, "conflict", function (op) {
            return {
              message: json.error,
              conflict: byKey[op.key] || null,
              detail_url: json.detail_url || "",
            };
          });
        }).then(function () { return "stopped"; });
      }
      var message = json.error || (response.status === 404 ? t("not-found") : t("server-error", { status: response.status }));
      return setState(batch, "error", function () { return { message: message }; })
        .then(function () { return "stopped"; });
    });
  }

  function isJSON(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  function sync() {
    if (syncing) return Promise.resolve();
    if (!navigator.onLine) {
      setSyncStatus(t("sync-offline"));
      return Promise.resolve();
    }
    syncing = true;
    body.dataset.syncing = "1";
    var worked = false;
    return myOps()
      .then(function (ops) {
        if (!ops.length) return "empty";
        worked = true;
        setSyncStatus(t("sync-running"));
        // A fresh token (a new login rotates it) and a check that the session is alive.
        return getJSON(body.dataset.assignmentsUrl).then(function (list) {
          if (!list) return needsLogin ? "login" : "offline";
          csrf = list.csrf || csrf;
          var order = [];
          ops.forEach(function (op) {
            if (order.indexOf(op.inspection) < 0) order.push(op.inspection);
          });
          var chain = Promise.resolve("done");
          order.forEach(function (inspectionId) {
            chain = chain.then(function (status) {
              if (status === "offline" || status === "login") return status;
              return syncInspection(inspectionId);
            });
          });
          return chain;
        }, function () { return "offline"; });
      })
      .then(function (status) {
        return myOps().then(function (ops) {
          if (!ops.length) {
            setSyncStatus(t("sync-done"));
            if (!needsLogin) showAlert("", "");
          } else if (status === "offline") {
            setSyncStatus(t("sync-failed"));
          } else {
            setSyncStatus("");
          }
        });
      })
      .catch(function () { setSyncStatus(t("sync-failed")); })
      .then(function () {
        // What the server now says (a submitted assignment leaves the list).
        return worked ? refreshFromServer() : null;
      })
      .finally(function () {
        syncing = false;
        delete body.dataset.syncing;
        renderOutbox();
        var view = $("[data-view=inspection]");
        if (!current) renderList();
        else if (!view.contains(document.activeElement)) openInspection(current.id);
      });
  }

  // ------------------------------------------------------------------------------------------
  // Start
  // ------------------------------------------------------------------------------------------
  function route() {
    var match = /^#inspection-(\d+|assignment-\d+)$/.exec(location.hash);
    if (match) {
      return openInspection(/^\d+$/.test(match[1]) ? parseInt(match[1], 10) : match[1]);
    }
    return renderList();
  }

  function resetInterrupted() {
    // A write marked "sending" when the tab closed goes again (the server skips it if it
    // had arrived).
    return locked(function () {
      return myOps().then(function (ops) {
        return Promise.all(ops.filter(function (op) { return op.state === "sending"; }).map(
          function (op) {
            op.state = "pending";
            return DB.put("outbox", op);
          }
        ));
      });
    });
  }

  $("[data-all-pass]").addEventListener("click", markRemainingPass);
  $("[data-submit]").addEventListener("click", submit);
  $("[data-sync-now]").addEventListener("click", function () { sync(); });
  $("[data-back]").addEventListener("click", function (event) {
    event.preventDefault();
    location.hash = "";
  });
  window.addEventListener("hashchange", route);
  window.addEventListener("online", function () {
    showNetwork();
    sync();
  });
  window.addEventListener("offline", showNetwork);
  // The phone switches app or locks: write what is being typed now, not in 300 ms.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      Array.from(unsaved).forEach(function (save) { save(); });
    }
  });
  setInterval(function () {
    if (navigator.onLine) sync();
  }, 30000);

  showNetwork();
  resetInterrupted()
    .then(route)
    .then(renderOutbox)
    .then(function () {
      return Promise.all([cacheShell().catch(function () {}), refreshFromServer()]);
    })
    .then(function () {
      body.dataset.offlineReady = "1";
      if (!current) renderList();
      return sync();
    })
    .then(function () {
      body.dataset.offlineLoaded = "1";
    });
})();
