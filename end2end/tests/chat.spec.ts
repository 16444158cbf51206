import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";
import { ServerProcess } from "./fixtures/server";

test("a message sent in one browser appears live in another", async ({ browser }) => {
  const room = freshRoom("live");
  const alice = new ChatPage(await (await browser.newContext()).newPage());
  const bob = new ChatPage(await (await browser.newContext()).newPage());
  await alice.goto(room);
  await bob.goto(room);
  await bob.waitUntilLive();

  await alice.setName("Alice");
  await alice.send("Hi Bob, can you see this?");

  await expect(bob.message("Hi Bob, can you see this?")).toBeVisible();
  await expect(bob.message("Hi Bob, can you see this?")).toContainText("Alice");
  await expect(alice.message("Hi Bob, can you see this?")).toHaveCount(1);
  await expect(alice.body).toHaveValue("");
});

test("reloading shows the history, each message once and in order", async ({ page }) => {
  const room = freshRoom("history");
  const chat = new ChatPage(page);
  await chat.goto(room);
  for (const text of ["first", "second", "third"]) {
    await chat.send(text);
    await expect(chat.message(text)).toBeVisible();
  }
  await page.reload();
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  expect(await chat.bodies()).toEqual(["first", "second", "third"]);
});

test("a display name is chosen once and remembered", async ({ page }) => {
  const room = freshRoom("name");
  const chat = new ChatPage(page);
  await chat.goto(room);
  await expect(chat.viewerName).toHaveText(/^guest-\d{4}$/);
  await chat.setName("Zoë");
  await chat.send("hello");
  await expect(chat.message("hello")).toContainText("Zoë");
  await page.reload();
  await expect(chat.viewerName).toHaveText("Zoë");
  await expect(chat.message("hello")).toContainText("Zoë");
});

test("sending works with JavaScript disabled", async ({ browser }) => {
  const room = freshRoom("nojs");
  const watcher = new ChatPage(await (await browser.newContext()).newPage());
  await watcher.goto(room);
  await watcher.waitUntilLive();

  const context = await browser.newContext({ javaScriptEnabled: false });
  const chat = new ChatPage(await context.newPage());
  await chat.goto(room, { hydrated: false });
  await chat.body.fill("sent without JavaScript");
  await chat.sendButton.click();

  // The form posts, the server redirects back to the room (leptos leaves a bare "?").
  await expect(chat.page).toHaveURL(new RegExp(`/r/${room}\\??$`));
  await expect(chat.message("sent without JavaScript")).toBeVisible();
  await expect(watcher.message("sent without JavaScript")).toBeVisible();

  // Errors come back too, next to the composer.
  await chat.body.fill("");
  await chat.sendButton.click();
  await expect(chat.error).toHaveText("Write something before sending.");
  await expect(chat.messages.getByRole("listitem")).toHaveCount(1);
});

test("an empty message shows an error and sends nothing", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(freshRoom("empty"));
  await chat.send("   ");
  await expect(chat.error).toHaveText("Write something before sending.");
  await expect(chat.messages.getByRole("listitem")).toHaveCount(0);
});

test("an over-long message shows an error and keeps the text", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(freshRoom("long"));
  const text = "x".repeat(4001);
  await chat.send(text);
  await expect(chat.error).toContainText("at most 4000 characters");
  await expect(chat.body).toHaveValue(text);
  await expect(chat.messages.getByRole("listitem")).toHaveCount(0);
});

test("markup in a message is shown as text and never runs", async ({ browser }) => {
  const room = freshRoom("xss");
  const sender = new ChatPage(await (await browser.newContext()).newPage());
  const reader = new ChatPage(await (await browser.newContext()).newPage());
  let dialogs = 0;
  for (const chat of [sender, reader]) chat.page.on("dialog", () => dialogs++);
  await sender.goto(room);
  await reader.goto(room);
  await reader.waitUntilLive();

  const script = "<script>window.__pwned = 1; alert(1)</script>";
  const img = '<img src="x" onerror="window.__pwned = 2; alert(2)">';
  await sender.send(script);
  await sender.send(img);

  for (const chat of [sender, reader]) {
    await expect(chat.message(script)).toBeVisible();
    await expect(chat.message(img)).toBeVisible();
    expect(await chat.messages.locator("img, script").count()).toBe(0);
  }
  // The same again from the server-rendered page.
  await reader.page.reload();
  await expect(reader.message(img)).toBeVisible();
  expect(await reader.messages.locator("img, script").count()).toBe(0);
  for (const chat of [sender, reader]) {
    expect(await chat.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  }
  expect(dialogs).toBe(0);
});

test("Enter sends and Shift+Enter adds a line that is kept", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(freshRoom("keys"));
  await chat.body.click();
  await chat.body.pressSequentially("line one");
  await chat.body.press("Shift+Enter");
  await chat.body.pressSequentially("line two");
  await chat.body.press("Enter");
  const item = chat.messages.locator(".message-body").first();
  await expect(item).toHaveText("line one\nline two");
});

test("after a server restart the page reconnects and shows what was sent meanwhile, once, in order", async ({
  page,
  baseURL,
}) => {
  const server = new ServerProcess(baseURL!);
  await server.start();
  try {
    const room = freshRoom("restart");
    const reader = new ChatPage(page);
    await page.goto(`${server.baseURL}/r/${room}`);
    await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
    await reader.waitUntilLive();
    await server.send(room, "before the restart");
    await expect(reader.message("before the restart")).toBeVisible();

    await server.stop();
    await expect(reader.connection).toHaveText("Reconnecting…");
    await server.start();
    for (const text of ["after 1", "after 2", "after 3"]) await server.send(room, text);

    await expect(reader.message("after 3")).toBeVisible({ timeout: 20_000 });
    await expect(reader.connection).toHaveText("Live");
    expect(await reader.bodies()).toEqual(["before the restart", "after 1", "after 2", "after 3"]);
  } finally {
    await server.stop();
  }
});

test("when the server lost the history a page shows, the page starts over with what the server has", async ({
  page,
  baseURL,
}) => {
  const server = new ServerProcess(baseURL!, { offset: 4 }); // its own port: tests run in parallel
  await server.start();
  try {
    const room = freshRoom("lost");
    const reader = new ChatPage(page);
    await page.goto(`${server.baseURL}/r/${room}`);
    await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
    await reader.waitUntilLive();
    for (const text of ["old 1", "old 2", "old 3"]) await server.send(room, text);
    await expect(reader.message("old 3")).toBeVisible();

    // The database is replaced by an empty one (say, restored from an old backup): the
    // next messages reuse seqs 1, 2, … that the page has already seen.
    await server.stop();
    server.wipe();
    await server.start();
    await server.send(room, "new 1");

    await expect(reader.message("new 1")).toBeVisible({ timeout: 20_000 });
    await expect(reader.connection).toHaveText("Live");
    expect(await reader.bodies()).toEqual(["new 1"]);
    await server.send(room, "new 2");
    await expect(reader.message("new 2")).toBeVisible();
  } finally {
    await server.stop();
  }
});
