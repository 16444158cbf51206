import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom, seed } from "./fixtures/chat_page";

/** The sidebar entry of `room` on `chat`'s page. */
function entry(chat: ChatPage, room: string) {
  return chat.page.getByRole("navigation", { name: "Your rooms" }).locator("li", {
    has: chat.page.getByRole("link", { name: room, exact: true }),
  });
}

test("messages to a joined room no tab shows raise its unread count, kept across a reload; leaving takes it off", async ({
  browser,
  request,
}) => {
  const context = await browser.newContext();
  const chat = new ChatPage(await context.newPage());
  const joined = freshRoom("side-joined");
  const here = freshRoom("side-here");
  // Opening a room joins it.
  await chat.goto(joined);
  await chat.goto(here);
  await chat.waitUntilLive();
  await expect(entry(chat, joined)).toBeVisible();
  await expect(entry(chat, here)).toHaveAttribute("class", /current/);

  await seed(request, joined, ["one", "two", "three"]);
  await seed(request, here, ["in view"]);
  await expect(entry(chat, joined).locator(".unread-count")).toHaveText("3");
  await expect(chat.message("in view")).toBeVisible();
  await expect(entry(chat, here).locator(".unread-count")).toHaveCount(0);

  // Remembered by the server: a reload shows the same.
  await chat.page.reload();
  await chat.waitForHydration();
  await expect(entry(chat, joined).locator(".unread-count")).toHaveText("3");

  // Reading it in another tab clears it here too.
  const other = new ChatPage(await context.newPage());
  await other.goto(joined);
  await expect(other.message("three")).toBeVisible();
  await expect(entry(chat, joined).locator(".unread-count")).toHaveCount(0);
  await other.page.close();

  // Gone at once; remembered once the server has answered.
  const left = chat.page.waitForResponse((response) => response.url().endsWith("/api/leave_room"));
  await entry(chat, joined).getByRole("button", { name: `Leave #${joined}` }).click();
  await expect(entry(chat, joined)).toHaveCount(0);
  expect((await left).ok()).toBe(true);
  await chat.page.reload();
  await chat.waitForHydration();
  await expect(entry(chat, here)).toBeVisible();
  await expect(entry(chat, joined)).toHaveCount(0);
  await context.close();
});

test("on a phone the sidebar folds into a line that opens", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
  const chat = new ChatPage(await context.newPage());
  const room = freshRoom("side-phone");
  await chat.goto(room);
  const sidebar = chat.page.locator("details.rooms-sidebar");
  await expect(sidebar).not.toHaveAttribute("open", "");
  await expect(entry(chat, room)).toBeHidden();
  await sidebar.locator("summary").click();
  await expect(entry(chat, room)).toBeVisible();
  await context.close();
});
