/* Service worker of the offline inspections app (served at /sw.js by
   inspections.offline.service_worker so that its scope is the whole site).

   - /static/ files: from the cache first, filled from the network on the first use.
   - The app shell /inspections/offline/: from the network when there is one (and the copy
     kept up to date), from the cache when there is not.
   - Any other page while offline: the fallback page saying that it needs the server.
   - Everything else (JSON, POSTs, files): straight to the network; the app keeps its data in
     IndexedDB itself, so nothing private is kept in this cache but the shell. */
"use strict";

const VERSION = "sh-offline-v1";
const SHELL = "/inspections/offline/";
const FALLBACK = "/inspections/offline/fallback/";
const HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(VERSION)
      .then((cache) => cache.addAll([FALLBACK]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => name !== VERSION).map((name) => caches.delete(name)))
      )
      .then(() => self.clients.claim())
  );
});

async function fromCacheFirst(request) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok) {
    cache.put(request, response.clone());
  }
  return response;
}

async function fromNetworkFirst(request) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok) {
      cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) {
      return cached;
    }
    throw error;
  }
}

async function offlinePage(request) {
  const cache = await caches.open(VERSION);
  return (
    (await cache.match(FALLBACK)) ||
    new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } })
  );
}

async function navigate(request, url) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (url.pathname === SHELL && response.ok && !response.redirected) {
      cache.put(SHELL, response.clone());
    }
    return response;
  } catch (error) {
    if (url.pathname === SHELL) {
      const shell = await cache.match(SHELL);
      if (shell) {
        return shell;
      }
    }
    return offlinePage(request);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Hashed names (the production storage) never change: cache first. Others (DEBUG) may
    // change under the same name: the network first, the cache when offline.
    event.respondWith(HASHED.test(url.pathname) ? fromCacheFirst(request) : fromNetworkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  }
});

self.addEventListener("message", (event) => {
  // The shell asks to keep a copy of itself and of the files it uses (first visit, before this
  // worker controlled the page).
  if (event.data && event.data.type === "cache-urls" && Array.isArray(event.data.urls)) {
    const urls = event.data.urls.filter((u) => {
      try {
        return new URL(u, self.location.origin).origin === self.location.origin;
      } catch (error) {
        return false;
      }
    });
    const port = event.ports && event.ports[0];
    event.waitUntil(
      caches
        .open(VERSION)
        .then((cache) => Promise.all(urls.map((u) => cache.add(u).catch(() => undefined))))
        .then(() => port && port.postMessage({ type: "cached", count: urls.length }))
    );
  }
});
