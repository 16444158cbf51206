// Requests are held or failed with the context's routes: once the service worker controls a
// page, a page route no longer sees what the page fetches.
import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom, seed } from "./fixtures/chat_page";

test("a message shows as pending until confirmed, waits for the network, and a failed one is retried once", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(freshRoom("pending"));

  // Hold the first send back: it shows as pending meanwhile.
  let release: () => void = () => {};
  const held = new Promise<void>((done) => (release = done));
  await page.context().route("**/api/send_message", async (route) => {
    await held;
    await route.continue();
  });
  await chat.send("slow one");
  const pending = chat.messages.locator("li.pending");
  await expect(pending).toContainText("Sending…");
  release();
  await expect(pending).toHaveCount(0);
  await expect(chat.message("slow one")).toHaveCount(1);
  await page.context().unrouteAll();

  // The network drops the next one: it waits for the network and goes by itself, once.
  await page.context().route("**/api/send_message", (route) => route.abort("internetdisconnected"));
  await chat.send("lost one");
  await expect(pending).toContainText("Waiting for the network…");
  await page.context().unrouteAll();
  await expect(pending).toHaveCount(0);
  await expect(chat.message("lost one")).toHaveCount(1);

  // The server fails the next one: it says so and can be retried, and is stored once.
  const busy = { error: "unavailable", message: "The chat is busy." };
  await page.context().route("**/api/send_message", (route) => route.fulfill({ status: 503, json: busy }));
  await chat.send("refused once");
  await expect(pending).toContainText("Not sent");
  await page.context().unrouteAll();
  await pending.getByRole("button", { name: "Retry" }).click();
  await expect(pending).toHaveCount(0);
  await expect(chat.message("refused once")).toHaveCount(1);
  await page.reload();
  await chat.waitForHydration();
  expect(await chat.bodies()).toEqual(["slow one", "lost one", "refused once"]);
});

test("a message the server could not take can be taken back into the text box, and what was written after it waits", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(freshRoom("take-back"));
  const busy = { error: "internal", message: "Something went wrong." };
  await page.context().route("**/api/send_message", (route) => route.fulfill({ status: 500, json: busy }));
  await chat.send("first try");
  const pending = chat.messages.locator("li.pending");
  await expect(pending).toContainText("Not sent");
  await chat.send("written after it");
  // It does not overtake the one before it.
  await expect(pending.nth(1)).toContainText("Waiting to be sent…");
  await page.context().unrouteAll();

  await chat.body.fill("half a thought");
  await pending.first().getByRole("button", { name: "Edit" }).click();
  // Back after what is being written, never over it; the next one goes.
  await expect(chat.body).toHaveValue("half a thought\nfirst try");
  await expect(chat.message("written after it")).toBeVisible();
  await expect(pending).toHaveCount(0);
  expect(await chat.bodies()).toEqual(["written after it"]);
});

test("web addresses become safe links and other schemes stay text", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(freshRoom("links"));
  await chat.send("docs at https://example.com/guide?x=1. and javascript:alert(1)");
  const link = chat.messages.getByRole("link", { name: "https://example.com/guide?x=1" });
  await expect(link).toHaveAttribute("href", "https://example.com/guide?x=1");
  await expect(link).toHaveAttribute("rel", "noopener nofollow ugc");
  await expect(chat.messages.locator(".message-body").getByRole("link")).toHaveCount(1);
});

test("consecutive messages by one author are grouped under one name", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(freshRoom("group"));
  await chat.setName("Gus");
  for (const text of ["one", "two", "three"]) {
    await chat.send(text);
    await expect(chat.message(text)).toBeVisible();
  }
  await expect(chat.messages.locator("li.continued")).toHaveCount(2);
  // Their name and time stay for screen readers, hidden from view.
  await expect(chat.messages.locator("li.continued .message-meta.visually-hidden")).toHaveCount(2);
  await expect(chat.messages.locator("li:not(.continued) .message-author")).toHaveText(["Gus"]);
});

test("older messages load when scrolling up, keeping the reader's place", async ({ page, request }) => {
  const room = freshRoom("scroll");
  await seed(request, room, Array.from({ length: 120 }, (_, i) => `history ${i + 1}`));
  const chat = new ChatPage(page);
  await chat.goto(room);
  await expect(chat.messages.locator("li.message")).toHaveCount(50);
  await expect(chat.message("history 120")).toBeInViewport();

  // At the very top the oldest message shown (71) is in view; reaching the top loads one
  // page (scrolling the anchor into view first could itself come near the top and load one).
  const anchor = chat.message("history 71");
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(anchor).toBeInViewport();
  await expect(chat.messages.locator("li.message")).toHaveCount(100);
  await expect(anchor).toBeInViewport();

  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(chat.messages.locator("li.message")).toHaveCount(120);
  await expect(page.getByRole("button", { name: "Load older messages" })).toHaveCount(0);
  expect((await chat.bodies())[0]).toBe("history 1");
});

test("a reader scrolled up is offered the new messages instead of being moved", async ({ page, request }) => {
  const room = freshRoom("below");
  await seed(request, room, Array.from({ length: 40 }, (_, i) => `filler #${i + 1}.`));
  const chat = new ChatPage(page);
  await chat.goto(room);
  await chat.waitUntilLive();
  await expect(chat.message("filler #40.")).toBeInViewport();
  await chat.message("filler #1.").scrollIntoViewIfNeeded();

  await seed(request, room, ["news 1", "news 2"]);
  const button = page.getByRole("button", { name: /new messages/ });
  await expect(button).toHaveText("2 new messages ↓");
  await expect(chat.message("filler #1.")).toBeInViewport();
  await button.click();
  await expect(chat.message("news 2")).toBeInViewport();
  await expect(button).toHaveCount(0);
});

test("a message still on its way when the page is left goes at the next visit, once, without asking", async ({ page, context }) => {
  const room = freshRoom("unload-kept");
  const chat = new ChatPage(page);
  await chat.goto(room);
  await page.context().route("**/api/send_message", () => {
    // Never answered: the message stays pending.
  });
  await chat.send("in flight");
  await expect(chat.messages.locator("li.pending")).toContainText("Sending…");
  let asked = false;
  page.on("dialog", (dialog) => {
    asked = true;
    void dialog.dismiss();
  });
  // The browser keeps it: leaving loses nothing, so the page does not ask.
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => page.isClosed()).toBe(true);
  expect(asked).toBe(false);
  await context.unrouteAll();

  const again = new ChatPage(await context.newPage());
  await again.goto(room);
  await expect(again.message("in flight")).toBeVisible();
  await expect(again.messages.locator("li.pending")).toHaveCount(0);
  expect(await again.bodies()).toEqual(["in flight"]);
});

test("leaving while a message is still being sent asks first when the browser cannot keep it", async ({ page }) => {
  // No IndexedDB here (as in some private modes): the outbox lives in the page only.
  await page.addInitScript(() => Object.defineProperty(window, "indexedDB", { value: undefined }));
  const chat = new ChatPage(page);
  await chat.goto(freshRoom("unload"));
  await page.context().route("**/api/send_message", () => {
    // Never answered: the message stays pending.
  });
  await chat.send("in flight");
  await expect(chat.messages.locator("li.pending")).toContainText("Sending…");
  const asked = page.waitForEvent("dialog");
  await page.close({ runBeforeUnload: true });
  const dialog = await asked;
  expect(dialog.type()).toBe("beforeunload");
  await dialog.accept();
});
