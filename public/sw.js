// The chat's service worker.
//
// Pushes: shows the pushes the server sends (a mention, a direct message) as notifications,
// unless a tab of that room is visible already, and opens the message when one is clicked.
// The payload is the server's `PushPayload` (src/server/push/payload.rs): room, seq, author,
// body, url, mention.
//
// Offline: keeps a copy of the room list and of each room page this browser visited, with
// the site's files they need, and answers from them when the network is gone. The network
// always comes first (a page online is never a stale copy, and a new build is seen at the
// next load); the copies are only what a page falls back to. A page asks for itself to be
// kept once it is interactive (register-sw.js), so the first visit loads nothing more
// before that. Signing out clears all of it (`Clear-Site-Data`).

const PAGES = "chat-pages-v1";
const FILES = "chat-files-v1";
const IMAGES = "chat-images-v1";
// At most this many of each are kept; the oldest go first.
const MAX_PAGES = 100;
const MAX_FILES = 60;
const MAX_IMAGES = 300;
// A page kept this recently is not fetched again when it asks to be kept.
const FRESH_MS = 5 * 60 * 1000;
const KEPT_AT = "x-chat-kept-at";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(activate()));

async function activate() {
  for (const name of await caches.keys()) {
    if (name.startsWith("chat-") && ![PAGES, FILES, IMAGES].includes(name)) await caches.delete(name);
  }
  await self.clients.claim();
}

// ---- offline ----

/** The room list (`/`) and a room (`/r/lobby`): the pages kept for offline. */
function isPage(url) {
  return url.pathname === "/" || /^\/r\/[^/]+$/.test(url.pathname);
}

/** The site's own files a page needs: the build's (`/pkg/`), the icons, the favicon. */
function isFile(url) {
  return url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/") || url.pathname === "/favicon.svg";
}

/** An attached image's thumbnail, as a room page shows it. */
function isThumbnail(url) {
  return /^\/api\/files\/[\w-]+\/thumb$/.test(url.pathname);
}

/** Where a kept file goes: its cache and how many that cache holds. */
function shelf(url) {
  return isThumbnail(url) ? [IMAGES, MAX_IMAGES] : [FILES, MAX_FILES];
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(page(event, url));
  } else if (isFile(url) || isThumbnail(url)) {
    event.respondWith(file(event, request, url));
  }
});

/** A page from the network, kept on the way; the kept copy when the network is gone. */
async function page(event, url) {
  try {
    const response = await fetch(event.request);
    if (url.search === "" && keepable(response)) event.waitUntil(keepResponse(url, response.clone()));
    return response;
  } catch (offline) {
    // A permalink (`?at=…`) opens the room as it was kept.
    const kept = await (await caches.open(PAGES)).match(url.origin + url.pathname);
    return kept ?? notKept();
  }
}

/** A file from the network (its HTTP cache first), kept; the kept one offline. */
async function file(event, request, url) {
  try {
    const response = await fetch(request);
    if (response.status === 200) event.waitUntil(keepFile(url, response.clone()));
    return response;
  } catch (offline) {
    const kept = await (await caches.open(shelf(url)[0])).match(url.href);
    if (kept) return kept;
    throw offline;
  }
}

/** A page of the person's own, whole and not one the server said never to store. */
function keepable(response) {
  return (
    response.status === 200 &&
    response.type === "basic" &&
    !response.redirected &&
    (response.headers.get("content-type") ?? "").startsWith("text/html") &&
    !(response.headers.get("cache-control") ?? "").includes("no-store")
  );
}

async function keepResponse(url, response) {
  const headers = new Headers(response.headers);
  headers.set(KEPT_AT, String(Date.now()));
  const body = await response.blob();
  const cache = await caches.open(PAGES);
  const key = url.origin + url.pathname;
  // Deleted first, so the newest kept is the last in the cache's order.
  await cache.delete(key);
  await cache.put(key, new Response(body, { status: 200, statusText: "OK", headers }));
  await trim(cache, MAX_PAGES);
  return body;
}

async function keepFile(url, response) {
  const [name, max] = shelf(url);
  const cache = await caches.open(name);
  // A built file's name carries its content's hash, a thumbnail never changes: one kept
  // copy is always right.
  if (await cache.match(url.href)) return;
  await cache.put(url.href, response);
  await trim(cache, max);
}

async function trim(cache, max) {
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - max))) await cache.delete(old);
}

/** What a page asks once it is interactive: keep me (and what I load) for offline. */
self.addEventListener("message", (event) => {
  const asked = event.data;
  if (!asked || asked.type !== "keep" || typeof asked.url !== "string") return;
  const url = new URL(asked.url, self.location.origin);
  if (url.origin !== self.location.origin || !isPage(url)) return;
  event.waitUntil(keepPage(new URL(url.pathname, url.origin)).catch(() => {}));
});

async function keepPage(url) {
  const kept = await (await caches.open(PAGES)).match(url.href);
  const keptAt = Number(kept?.headers.get(KEPT_AT) ?? 0);
  if (Date.now() - keptAt < FRESH_MS) return;
  const response = await fetch(url.href, { credentials: "same-origin" });
  if (!keepable(response)) return;
  const html = await (await keepResponse(url, response)).text();
  // The files the page names (its CSS, script and wasm, the thumbnails it shows), and the
  // modules those scripts import.
  const named = /\/pkg\/[\w.-]+\.(?:css|js|wasm)|\/api\/files\/[\w-]+\/thumb/g;
  const pending = [...html.matchAll(named)].map((m) => m[0]);
  const seen = new Set();
  while (pending.length > 0) {
    const path = pending.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    const fileUrl = new URL(path, url.origin);
    if (await (await caches.open(shelf(fileUrl)[0])).match(fileUrl.href)) continue;
    const response = await fetch(fileUrl.href);
    if (response.status !== 200) continue;
    if (path.endsWith(".js")) {
      const text = await response.clone().text();
      for (const [, module] of text.matchAll(/from\s*["']\.\/([\w.-]+\.js)["']/g)) pending.push(`/pkg/${module}`);
    }
    await keepFile(fileUrl, response);
  }
}

/** A page never visited on this device, asked for with no network. */
function notKept() {
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Offline · Chat</title><body style="font:16px system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem">
<h1>You are offline</h1><p role="status">This page was not opened on this device before, so there is no copy of it here.
It opens as soon as the network is back.</p><p><a href="/">Rooms you visited</a></p></body></html>`;
  return new Response(html, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
}

// ---- pushes ----

self.addEventListener("push", (event) => {
  let push;
  try {
    push = event.data ? event.data.json() : null;
  } catch {
    push = null;
  }
  if (!push || typeof push.url !== "string" || !push.url.startsWith("/r/")) return;
  event.waitUntil(show(push));
});

async function show(push) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const room = `/r/${push.room}`;
  const watching = windows.some(
    (client) => client.visibilityState === "visible" && new URL(client.url).pathname === room,
  );
  if (watching) return;
  const direct = String(push.room).startsWith("dm-");
  const title = direct ? `${push.author}` : `${push.author} in #${push.room}`;
  await self.registration.showNotification(title, {
    body: push.body || "",
    tag: `${push.room}:${push.seq}`,
    icon: "/icons/192.png",
    badge: "/icons/192.png",
    data: { url: push.url },
  });
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || "/", self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(open(url.href));
});

async function open(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if ("focus" in client && new URL(client.url).origin === self.location.origin) {
      await client.focus();
      if ("navigate" in client) return client.navigate(url);
      return;
    }
  }
  return self.clients.openWindow(url);
}
