import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

test("two people react to a message and see each other's reactions live", async ({ browser }) => {
  const room = freshRoom("react");
  const [ann, bob] = await Promise.all([browser.newContext(), browser.newContext()].map(async (c) => {
    const chat = new ChatPage(await (await c).newPage());
    await chat.goto(room);
    return chat;
  }));
  await ann.setName("Ann");
  await bob.setName("Bob");
  await bob.waitUntilLive();
  await ann.send("lunch at noon?");
  const onBob = bob.message("lunch at noon?");
  await expect(onBob).toBeVisible();

  // Bob picks a quick reaction; Ann sees it live, and adds her own to the same emoji.
  await onBob.hover();
  await onBob.getByLabel("Add a reaction").click();
  await onBob.getByRole("button", { name: "React with 👍" }).click();
  const bobsChip = onBob.locator("button.reaction", { hasText: "👍" });
  await expect(bobsChip).toHaveAttribute("aria-pressed", "true");
  const onAnn = ann.message("lunch at noon?");
  const annsChip = onAnn.locator("button.reaction", { hasText: "👍" });
  await expect(annsChip).toHaveAttribute("aria-label", "Bob reacted with 👍");
  await expect(annsChip).toHaveAttribute("aria-pressed", "false");
  await annsChip.click();
  await expect(bobsChip.locator(".reaction-count")).toHaveText("2");
  await expect(bobsChip).toHaveAttribute("aria-label", "Bob, Ann reacted with 👍");

  // Any emoji can be typed; words cannot.
  await onAnn.hover();
  await onAnn.getByLabel("Add a reaction").click();
  await onAnn.getByLabel("Any emoji").fill("🦀");
  await onAnn.getByRole("button", { name: "Add", exact: true }).click();
  await expect(onBob.locator("button.reaction", { hasText: "🦀" })).toBeVisible();
  await onAnn.getByLabel("Add a reaction").click();
  await onAnn.getByLabel("Any emoji").fill("yes");
  await onAnn.getByRole("button", { name: "Add", exact: true }).click();
  await expect(onAnn.locator(".reaction-error")).toHaveText("A reaction is one emoji.");

  // Bob takes his back; after a reload both see the same, each person counted once.
  await bobsChip.click();
  await expect(annsChip.locator(".reaction-count")).toHaveText("1");
  await bob.page.reload();
  await bob.waitForHydration();
  await expect(bob.message("lunch at noon?").locator("button.reaction")).toHaveText(["👍1", "🦀1"]);
  await expect(annsChip).toHaveAttribute("aria-pressed", "true");
});

test("a reply quotes its original, follows its edits, and jumps to it", async ({ page, browser }) => {
  const room = freshRoom("reply");
  const chat = new ChatPage(page);
  await chat.goto(room);
  await chat.setName("Ann");
  await chat.send("the original plan\nwith details");
  const original = chat.messages.locator('li[data-seq="1"]');
  await original.hover();
  await original.getByRole("link", { name: "Reply" }).click();
  await expect(page.locator(".replying")).toContainText("Replying to Ann: the original plan");
  await expect(chat.body).toBeFocused();
  await chat.send("agreed");
  await expect(page.locator(".replying")).toHaveCount(0);
  const reply = chat.message("agreed");
  const quote = reply.getByRole("link", { name: "The message this replies to" });
  await expect(quote).toContainText("Annthe original plan");

  // Someone else sees the edit of the original in the quote, live.
  const other = new ChatPage(await (await browser.newContext()).newPage());
  await other.goto(room);
  await other.waitUntilLive();
  await original.hover();
  await original.getByRole("button", { name: "Edit" }).click();
  const editor = page.getByLabel("Edit message");
  await editor.fill("a better plan");
  await editor.press("Enter");
  const theirQuote = other.message("agreed").locator(".quote");
  await expect(theirQuote).toContainText("a better plan");
  await expect(theirQuote).toContainText("(edited)");

  await theirQuote.click();
  await expect(other.messages.locator('li[data-seq="1"]')).toHaveClass(/highlight/);
});

test("without JavaScript, a reaction and a reply are forms and links that work", async ({ browser, request }) => {
  const room = freshRoom("nojs");
  await request.post("/api/send_message", { form: { room, body: "plain page" } });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const chat = new ChatPage(await context.newPage());
  await chat.goto(room, { hydrated: false });
  const message = chat.message("plain page");
  await message.locator("summary").click();
  await message.getByRole("button", { name: "React with 🎉" }).click();
  await expect(chat.message("plain page").locator("button.reaction")).toHaveText("🎉1");

  await chat.message("plain page").getByRole("link", { name: "Reply" }).click();
  await expect(chat.page.locator(".replying")).toContainText("plain page");
  await chat.body.fill("answered without JavaScript");
  await chat.sendButton.click();
  await expect(chat.message("answered without JavaScript").locator(".quote")).toContainText("plain page");
});
