import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

/** The sidebar entry of `room` on `chat`'s page. */
function entry(chat: ChatPage, room: string) {
  return chat.page.getByRole("navigation", { name: "Your rooms" }).locator("li", {
    has: chat.page.getByRole("link", { name: room, exact: true }),
  });
}

test("a mention in a room the other has not open raises a badge, the title and a desktop notification", async ({
  browser,
  baseURL,
}) => {
  const room = freshRoom("mention");
  const away = freshRoom("mention-away");
  // Bob allowed notifications; the page's own Notification is watched, not replaced.
  const bobsContext = await browser.newContext();
  await bobsContext.grantPermissions(["notifications"], { origin: baseURL });
  await bobsContext.addInitScript(() => {
    const Real = window.Notification;
    const shown: { title: string; body: string }[] = [];
    (window as unknown as { shown: typeof shown }).shown = shown;
    class Watched extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? "" });
      }
    }
    window.Notification = Watched as typeof Notification;
  });
  const bob = new ChatPage(await bobsContext.newPage());
  await bob.goto(room);
  await bob.setName("Bob");
  await bob.goto(away);
  await bob.waitUntilLive();

  const ann = new ChatPage(await (await browser.newContext()).newPage());
  await ann.goto(room);
  await ann.setName("Ann");
  // Typing @ and the start of a name suggests Bob; Enter picks him.
  await ann.body.pressSequentially("lunch, @bo");
  const suggestions = ann.page.getByRole("listbox", { name: "People to mention" });
  await expect(suggestions.getByRole("option").locator(".suggestion-name")).toHaveText(["Bob"]);
  await ann.body.press("Enter");
  await expect(ann.body).toHaveValue("lunch, @Bob ");
  await expect(suggestions).toBeHidden();
  await ann.body.pressSequentially("?");
  await ann.body.press("Enter");
  await expect(ann.message("lunch, @Bob ?").locator(".mention")).toHaveText("@Bob");

  // Bob, in another room: a badge on the room, the count in the title, a notification.
  await expect(entry(bob, room).locator(".mention-count")).toHaveText("@1");
  await expect(bob.page).toHaveTitle(/^\(@1\) /);
  await expect
    .poll(() => bob.page.evaluate(() => (window as unknown as { shown: unknown[] }).shown))
    .toEqual([{ title: `Ann mentioned you in #${room}`, body: "lunch, @Bob ?" }]);
  // A message that mentions nobody adds no mention (the room notifies of mentions only).
  await ann.send("and nothing for anyone");
  await expect(bob.page.locator(".rooms-sidebar-total")).toHaveText("2");
  await expect(entry(bob, room).locator(".mention-count")).toHaveText("@1");
  expect(await bob.page.evaluate(() => (window as unknown as { shown: unknown[] }).shown)).toHaveLength(1);

  // Opening the room shows the mention strongly, and reading it clears the badge.
  await entry(bob, room).getByRole("link", { name: room }).click();
  await bob.waitForHydration();
  const mine = bob.message("lunch, @Bob ?");
  await expect(mine).toHaveClass(/mentions-me/);
  await expect(mine.locator("strong.mention-me")).toHaveText("@Bob");
  await expect(entry(bob, room).locator(".mention-count")).toHaveCount(0);
  await expect(bob.page).toHaveTitle(new RegExp(`^#${room} `));

  // Bob mutes the room: Ann's next mention counts as unread, with no badge and no notification.
  const saved = bob.page.waitForResponse((r) => r.url().endsWith("/api/set_notify"));
  await bob.page.getByLabel("Notify me of").selectOption("nothing");
  expect((await saved).ok()).toBe(true);
  await bob.goto(away);
  await bob.waitUntilLive();
  await ann.send("@Bob one more");
  await expect(entry(bob, room).locator(".unread-count")).toHaveText("1");
  await expect(entry(bob, room).locator(".mention-count")).toHaveCount(0);
  expect(await bob.page.evaluate(() => (window as unknown as { shown: unknown[] }).shown)).toEqual([]);
  await bobsContext.close();
});
