// IndexedDB of the offline app: what was typed and photographed offline survives a closed tab
// or a restarted phone. Stores:
//   inspections  {id, user, data (the server's checklist JSON), local {itemId: fields},
//                 queued (submission queued), synced_at}
//   photos       {key, user, inspection, item, kind, blob, name, captured_at, latitude,
//                 longitude, accuracy, synced}
//   outbox       {seq (auto), user, inspection, type: answer|photo|submit, key, item, base,
//                 after, fields, state: pending|sending|conflict|error|blocked, message, ...}
//   meta         {k, v}   (the assignment list of each user)
(function () {
  "use strict";
  var NAME = "safe-hospital-offline";
  var VERSION = 1;
  var opened = null;

  function open() {
    if (opened) return opened;
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("inspections")) {
          db.createObjectStore("inspections", { keyPath: "id" });
        }
        if (!db.objectStoreNames.contains("photos")) {
          var photos = db.createObjectStore("photos", { keyPath: "key" });
          photos.createIndex("inspection", "inspection");
        }
        if (!db.objectStoreNames.contains("outbox")) {
          var outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
          outbox.createIndex("key", "key", { unique: true });
        }
        if (!db.objectStoreNames.contains("meta")) {
          db.createObjectStore("meta", { keyPath: "k" });
        }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return opened;
  }

  function run(storeName, mode, body) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var store = tx.objectStore(storeName);
        var result;
        var request = body(store);
        if (request) {
          request.onsuccess = function () { result = request.result; };
        }
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  window.OfflineDB = {
    get: function (store, key) {
      return run(store, "readonly", function (s) { return s.get(key); });
    },
    put: function (store, value) {
      return run(store, "readwrite", function (s) { return s.put(value); });
    },
    delete: function (store, key) {
      return run(store, "readwrite", function (s) { return s.delete(key); });
    },
    all: function (store) {
      return run(store, "readonly", function (s) { return s.getAll(); });
    },
    byIndex: function (store, index, value) {
      return run(store, "readonly", function (s) { return s.index(index).getAll(value); });
    },
  };
})();
