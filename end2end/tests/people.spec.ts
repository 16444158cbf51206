import { expect, test, type Browser } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

async function person(browser: Browser, room: string, name: string): Promise<ChatPage> {
  const chat = new ChatPage(await (await browser.newContext()).newPage());
  await chat.goto(room);
  await chat.setName(name);
  await chat.waitUntilLive();
  return chat;
}

test("who is online appears and disappears live, two tabs counting once", async ({ browser }) => {
  const room = freshRoom("presence");
  const alice = await person(browser, room, "Alice");
  const bob = await person(browser, room, "Bob");

  await expect(alice.online.getByRole("listitem")).toHaveText(["Alice", "Bob"]);
  await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob"]);

  // A second tab of Bob's: still one Bob.
  const bobTab = new ChatPage(await bob.page.context().newPage());
  await bobTab.goto(room);
  await bobTab.waitUntilLive();
  await expect(alice.online.getByRole("listitem")).toHaveText(["Alice", "Bob"]);

  await bob.page.close();
  await bobTab.page.close();
  await expect(alice.online.getByRole("listitem")).toHaveText(["Alice"], { timeout: 15_000 });
});

test("typing shows to others and expires", async ({ browser }) => {
  const room = freshRoom("typing");
  const alice = await person(browser, room, "Alice");
  const bob = await person(browser, room, "Bob");

  await alice.body.pressSequentially("hello th");
  await expect(bob.typing).toHaveText("Alice is typing…");
  await expect(alice.typing).toHaveText("", { timeout: 1_000 });
  await expect(bob.typing).toHaveText("", { timeout: 10_000 });

  await alice.body.pressSequentially("ere");
  await expect(bob.typing).toHaveText("Alice is typing…");
  await alice.body.press("Enter");
  await expect(bob.message("hello there")).toBeVisible();
  await expect(bob.typing).toHaveText("", { timeout: 2_000 });

  // Writing again right after sending shows at once, not after the typing throttle.
  await alice.body.pressSequentially("and");
  await expect(bob.typing).toHaveText("Alice is typing…", { timeout: 2_000 });
});

test("edits and deletes reach everyone, and only the author may make them", async ({ browser }) => {
  const room = freshRoom("edit");
  const alice = await person(browser, room, "Alice");
  const bob = await person(browser, room, "Bob");

  await alice.send("teh first message");
  const mine = alice.message("teh first message");
  await expect(bob.message("teh first message")).toBeVisible();
  await expect(bob.message("teh first message").getByRole("button", { name: "Edit" })).toHaveCount(0);

  await mine.hover();
  await mine.getByRole("button", { name: "Edit" }).click();
  const editor = alice.page.getByLabel("Edit message");
  await expect(editor).toBeFocused();
  await editor.fill("the first message");
  await editor.press("Enter");

  await expect(bob.message("the first message")).toContainText("(edited)");
  await expect(alice.message("the first message")).toContainText("(edited)");

  const edited = alice.message("the first message");
  await edited.hover();
  await edited.getByRole("button", { name: "Delete" }).click();
  await expect(bob.messages.getByRole("listitem")).toHaveText([/message deleted/]);
  await expect(alice.messages.getByRole("listitem")).toHaveText([/message deleted/]);
  await bob.page.reload();
  await expect(bob.messages.getByRole("listitem")).toHaveText([/message deleted/]);
});

test("messages that arrive while the tab is hidden are counted in its title", async ({ browser }) => {
  const room = freshRoom("unread");
  const alice = await person(browser, room, "Alice");
  const bob = await person(browser, room, "Bob");
  await expect(bob.page).toHaveTitle(`#${room} · Chat`);

  const setHidden = (hidden: boolean) =>
    bob.page.evaluate((hidden) => {
      Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
      Object.defineProperty(document, "visibilityState", {
        value: hidden ? "hidden" : "visible",
        configurable: true,
      });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);

  await setHidden(true);
  await alice.send("one");
  await alice.send("two");
  await expect(bob.page).toHaveTitle(`(2) #${room} · Chat`);
  await setHidden(false);
  await expect(bob.page).toHaveTitle(`#${room} · Chat`);
});

test("after going offline the page says so, then catches up once, in order", async ({ browser }) => {
  const room = freshRoom("offline");
  const alice = await person(browser, room, "Alice");
  const bob = await person(browser, room, "Bob");
  await alice.send("before");
  await expect(bob.message("before")).toBeVisible();

  await bob.page.context().setOffline(true);
  await expect(bob.connection).toHaveText("Offline");
  for (const text of ["while away 1", "while away 2", "while away 3"]) {
    await alice.send(text);
    await expect(alice.message(text)).toBeVisible();
  }
  await expect(bob.message("while away 1")).toHaveCount(0);

  await bob.page.context().setOffline(false);
  await expect(bob.connection).toHaveText("Live");
  await expect(bob.message("while away 3")).toBeVisible();
  expect(await bob.bodies()).toEqual(["before", "while away 1", "while away 2", "while away 3"]);
});
