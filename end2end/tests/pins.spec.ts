import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom, seed } from "./fixtures/chat_page";

test("a pinned message shows in the header live, opens in context, and unpins", async ({ browser, page, request }) => {
  const room = freshRoom("pins");
  // The key message, then enough chatter that it is no longer on the first page.
  await seed(request, room, ["the **deploy** checklist: step one"]);
  await seed(request, room, Array.from({ length: 60 }, (_, n) => `chatter ${n}`));
  const chat = new ChatPage(page);
  await chat.goto(`${room}`);
  const other = await browser.newContext();
  const reader = new ChatPage(await other.newPage());
  await reader.goto(room);
  await reader.waitUntilLive();
  await expect(reader.page.locator(".pins")).toHaveCount(0);

  // Pin a message on the page; the reader sees it in the header live.
  const recent = chat.message("chatter 59");
  await recent.hover();
  await recent.getByRole("button", { name: "Pin", exact: true }).click();
  await expect(recent.locator(".pinned-mark")).toBeVisible();
  const pins = reader.page.locator(".pins");
  await expect(pins.locator("summary")).toHaveText("📌 1 pinned");

  // Pin the old one through the contract (as a script or another node would).
  const found = await request.get(`/api/history?room=${room}&before=3`);
  const { messages } = await found.json();
  const key = messages[0];
  expect(key.body).toContain("checklist");
  const pinned = await request.post("/api/pin_message", { form: { room, seq: String(key.seq), pinned: "true" } });
  expect(pinned.ok()).toBeTruthy();
  await expect(pins.locator("summary")).toHaveText("📌 2 pinned");
  await pins.locator("summary").click();
  const entries = pins.getByRole("listitem");
  await expect(entries).toHaveCount(2);
  await expect(entries.first()).toContainText("the deploy checklist: step one");
  await expect(entries.nth(1)).toContainText("chatter 59");

  // Opening the entry opens the room at that message, highlighted.
  await entries.first().getByRole("link").click();
  await expect(reader.page).toHaveURL(new RegExp(`/r/${room}\\?at=${key.seq}$`));
  await reader.waitForHydration();
  const opened = reader.messages.locator(`li[data-seq="${key.seq}"]`);
  await expect(opened).toHaveClass(/highlight/);
  await expect(opened.locator("strong")).toHaveText("deploy");
  await expect(opened.locator(".pinned-mark")).toBeVisible();

  // Unpinned on the first page: gone from the reader's header, and from a new page.
  await recent.hover();
  await recent.getByRole("button", { name: "Unpin" }).click();
  await expect(reader.page.locator(".pins summary")).toHaveText("📌 1 pinned");
  await chat.page.reload();
  await chat.waitForHydration();
  await expect(chat.page.locator(".pins summary")).toHaveText("📌 1 pinned");
  await other.close();
});
