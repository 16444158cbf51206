import { expect, test, type Page } from "@playwright/test";
import { ChatPage, freshRoom, seed } from "./fixtures/chat_page";

/** Waits until the service worker controls the page and keeps `path` for offline. */
async function keptForOffline(page: Page, path: string) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect
    .poll(() => page.evaluate(async (path) => (await caches.match(new URL(path, location.origin).href)) !== undefined, path), {
      timeout: 20_000,
    })
    .toBe(true);
}

test("a room visited before opens offline from the kept copy, saying so; online, the page is never the copy", async ({ page, context, request }) => {
  const room = freshRoom("offline");
  await seed(request, room, ["kept one", "kept two"]);
  const chat = new ChatPage(page);
  await chat.goto(room);
  await keptForOffline(page, `/r/${room}`);

  // Online, a load is the network's page, not the copy: what arrived since is in it.
  await seed(request, room, ["after the copy"]);
  const fresh = await page.reload();
  expect(await fresh?.text()).toContain("after the copy");
  await chat.waitForHydration();

  await context.setOffline(true);
  await page.reload();
  await chat.waitForHydration();
  expect(await chat.bodies()).toEqual(["kept one", "kept two", "after the copy"]);
  await expect(page.locator(".offline-notice")).toContainText("You are offline.");
  await expect(page.locator(".connection")).toHaveText("Offline");

  // A room this browser never opened: the worker says there is no copy of it.
  await page.goto(`/r/${freshRoom("never")}`);
  await expect(page.getByRole("heading", { name: "You are offline" })).toBeVisible();

  // The network is back: the page loads as usual.
  await context.setOffline(false);
  await chat.goto(room);
  await chat.waitUntilLive();
  await expect(page.locator(".offline-notice")).toHaveCount(0);
});

test("two messages written offline survive a reload and arrive once each, in order, when the network is back", async ({ page, context, browser, request }) => {
  const room = freshRoom("outbox");
  await seed(request, room, ["before"]);
  const chat = new ChatPage(page);
  await chat.goto(room);
  await chat.waitUntilLive();
  await keptForOffline(page, `/r/${room}`);

  await context.setOffline(true);
  await expect(page.locator(".offline-notice")).toBeVisible();
  await chat.send("first, written offline");
  await chat.send("second, written offline");
  const pending = page.locator("li.message.pending");
  await expect(pending).toHaveCount(2);
  await expect(pending.locator(".pending-status")).toHaveText(["Waiting for the network…", "Waiting for the network…"]);

  // Still offline, the page is loaded again: both are still there, waiting, in order.
  await page.reload();
  await chat.waitForHydration();
  await expect(pending.locator(".message-body")).toHaveText(["first, written offline", "second, written offline"]);
  await expect(pending.locator(".pending-status")).toHaveText(["Waiting for the network…", "Waiting for the network…"]);

  // Someone else, online, sees none of it yet.
  const other = await browser.newContext();
  const reader = new ChatPage(await other.newPage());
  await reader.goto(room);
  await reader.waitUntilLive();
  expect(await reader.bodies()).toEqual(["before"]);

  // The network is back: each arrives once, in the order written, and the outbox empties.
  await context.setOffline(false);
  await expect.poll(() => reader.bodies()).toEqual(["before", "first, written offline", "second, written offline"]);
  await expect(pending).toHaveCount(0);
  await expect(chat.message("second, written offline")).toBeVisible();

  // Nothing is left to send again: another load sends nothing more.
  await page.reload();
  await chat.waitForHydration();
  await chat.waitUntilLive();
  await expect(pending).toHaveCount(0);
  await page.waitForTimeout(1_000);
  const stored = await (await request.get(`/api/room?room=${room}`)).json();
  expect(stored.messages.map((m: { body: string }) => m.body)).toEqual(["before", "first, written offline", "second, written offline"]);
  expect(await reader.bodies()).toEqual(["before", "first, written offline", "second, written offline"]);
  await other.close();
});
