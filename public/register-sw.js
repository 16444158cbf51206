// Registers the chat's service worker (sw.js: push notifications) once the page has
// loaded, so it never competes with the page's own first requests.
if ("serviceWorker" in navigator) {
  addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  });
}
