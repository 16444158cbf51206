// Registers the chat's service worker (sw.js: push notifications, the copies of pages kept
// for offline) once the page has loaded, so it never competes with the page's own first
// requests. Once the page is interactive (hydrated), it asks the worker to keep it for
// offline, and again after each move within the app (the Navigation API, where there is one).
if ("serviceWorker" in navigator) {
  addEventListener("load", async () => {
    try {
      await navigator.serviceWorker.register("/sw.js");
      const registration = await navigator.serviceWorker.ready;
      await interactive();
      const keep = () => registration.active?.postMessage({ type: "keep", url: location.href });
      keep();
      globalThis.navigation?.addEventListener("navigatesuccess", keep);
    } catch {
      // No worker: the chat works as before, without the offline copies.
    }
  });
}

/** Once the page says it is hydrated (`data-hydrated="true"`), or after 10 s regardless. */
function interactive() {
  return new Promise((done) => {
    const started = Date.now();
    const check = () => {
      if (document.querySelector('[data-hydrated="true"]') || Date.now() - started > 10_000) done();
      else setTimeout(check, 250);
    };
    check();
  });
}
