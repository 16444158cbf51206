// The chat's service worker: shows the pushes the server sends (a mention, a direct
// message) as notifications, unless a tab of that room is visible already, and opens the
// message when one is clicked. The payload is the server's `PushPayload`
// (src/server/push/payload.rs): room, seq, author, body, url, mention.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

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
