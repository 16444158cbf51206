import { expect, test } from "@playwright/test";

test("the chat is installable: a manifest, its icons, and a service worker controlling the page after a reload", async ({ page, request }) => {
  await page.goto("/r/lobby");
  const href = await page.locator("link[rel=manifest]").getAttribute("href");
  expect(href).toBe("/manifest.webmanifest");
  const manifest = await (await request.get(href as string)).json();
  expect(manifest.display).toBe("standalone");
  expect(manifest.start_url).toBe("/");
  expect(manifest.name).toBe("Chat");
  for (const size of ["192x192", "512x512"]) {
    const icons = manifest.icons.filter((icon: { sizes: string }) => icon.sizes === size);
    expect(icons.map((icon: { purpose: string }) => icon.purpose).sort()).toEqual(["any", "maskable"]);
    const png = await request.get(icons[0].src);
    expect(png.status()).toBe(200);
    expect(png.headers()["content-type"]).toBe("image/png");
  }
  await expect(page.locator("meta[name=theme-color]")).toHaveAttribute("content", "#3b5bdb");

  // The worker registers once the page has loaded, and controls the next load.
  expect(await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active !== null))).toBe(true);
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
});

test("a push shows a notification with no tab of its room visible, and none while one is", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["notifications"], { origin: baseURL });
  await page.goto("/r/lobby");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();

  // Pushes are handed to the worker as a push service would (DevTools' push delivery).
  const cdp = await context.newCDPSession(page);
  const registration = new Promise<string>((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const ours = registrations.find((r: { scopeURL: string; isDeleted: boolean }) => r.scopeURL.startsWith(baseURL as string) && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  const registrationId = await registration;
  const push = async (room: string, seq: number) => {
    const data = JSON.stringify({ room, seq, author: "Alice", body: "the build is green", url: `/r/${room}?at=${seq}`, mention: true });
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: new URL(baseURL as string).origin, registrationId, data });
  };
  const shown = () =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, url: n.data?.url }));
    });

  // This tab shows the lobby: a push for the lobby stays quiet.
  await push("lobby", 1);
  await page.waitForTimeout(500);
  expect(await shown()).toEqual([]);

  // A push for another room shows, with the room, the author and the start of the text.
  await push("release", 7);
  await expect.poll(shown).toEqual([{ title: "Alice in #release", body: "the build is green", url: "/r/release?at=7" }]);
  await cdp.detach();
});
