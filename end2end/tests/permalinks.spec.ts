import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

test("a permalink 2,000 messages back opens the room there, highlighted, under its day", async ({ page, playwright, baseURL }) => {
  test.setTimeout(90_000);
  const room = freshRoom("deep");
  const first = await playwright.request.newContext({ baseURL });
  const needle = await first.post("/api/send_message", { form: { room, body: "the needle in the haystack" } });
  const { seq } = await needle.json();
  // 2,000 more, from five people at once (each within the per-person limits).
  await Promise.all([0, 1, 2, 3, 4].map(async (sender) => {
    const person = await playwright.request.newContext({ baseURL });
    for (let n = 0; n < 400; n++) {
      const response = await person.post("/api/send_message", { form: { room, body: `hay ${sender}-${n}` } });
      expect(response.ok()).toBeTruthy();
    }
  }));

  const chat = new ChatPage(page);
  await page.goto(`/r/${room}?at=${seq}`);
  await chat.waitForHydration();
  const found = chat.messages.locator(`li[data-seq="${seq}"]`);
  await expect(found).toContainText("the needle in the haystack");
  await expect(found).toHaveClass(/highlight/);
  await expect(found).toBeInViewport();
  await expect(chat.messages.getByRole("separator").first()).toHaveText("Today");
  await expect(chat.message("hay 0-399")).toHaveCount(0);

  // Reading on loads the next pages; the newest is a link away.
  const shown = await chat.messages.locator("li.message").count();
  await chat.messages.getByRole("button", { name: "Newer messages" }).click();
  await expect(chat.messages.locator("li.message")).toHaveCount(shown + 50);
  await chat.messages.getByRole("link", { name: "Jump to the newest" }).click();
  await chat.waitForHydration();
  await expect(chat.messages.getByRole("button", { name: "Newer messages" })).toHaveCount(0);

  // Every message's time is its link, which opens the room there (a grouped message's
  // time is hidden with its name: take the newest that shows it).
  const newest = chat.messages.locator("li.message:not(.continued)").last();
  const newestSeq = await newest.getAttribute("data-seq");
  await newest.locator("a.permalink").click();
  await expect(page).toHaveURL(new RegExp(`/r/${room}\\?at=${newestSeq}$`));
  await chat.waitForHydration();
  await expect(chat.messages.locator(`li[data-seq="${newestSeq}"]`)).toHaveClass(/highlight/);
});
