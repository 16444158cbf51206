import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

test("a private room is refused to a third browser until it uses the current invite link", async ({ browser }) => {
  const name = freshRoom("private");
  const person = async () => new ChatPage(await (await browser.newContext()).newPage());
  const [ann, bob, carol] = [await person(), await person(), await person()];

  // Ann starts it from the room list and lands in it, with the invite link to share.
  await ann.page.goto("/");
  await ann.page.getByLabel("Start a private room (invite only)").fill(name);
  await ann.page.getByRole("button", { name: "Create" }).click();
  await expect(ann.page).toHaveURL(new RegExp(`/r/${name}$`));
  await ann.waitForHydration();
  await expect(ann.page.getByRole("heading", { level: 1 })).toContainText("(private)");
  await ann.waitUntilLive();
  await ann.send("the surprise party is on Saturday");
  const invite = ann.page.getByLabel("Invite link (whoever opens it can join)");
  const firstLink = await invite.inputValue();
  expect(firstLink).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/invite/${name}\\.1\\.`));

  // A stranger who guesses the address learns nothing; the room is listed nowhere.
  const refused = await carol.page.goto(`/r/${name}`);
  expect(refused?.status()).toBe(403);
  await expect(carol.page.getByRole("heading", { name: "This room cannot be shown" })).toBeVisible();
  await expect(carol.page.getByText("surprise party")).toHaveCount(0);
  await carol.page.goto("/");
  await expect(carol.page.getByRole("list", { name: "Rooms" }).getByText(name)).toHaveCount(0);

  // Bob opens the link: it shows the invitation, changing nothing until he presses Join;
  // then he is in, sees the message, but not the link itself.
  await bob.page.goto(firstLink);
  await expect(bob.page.getByRole("heading", { name: `You are invited to ${name}` })).toBeVisible();
  await bob.page.getByRole("button", { name: `Join ${name}` }).click();
  await expect(bob.page).toHaveURL(new RegExp(`/r/${name}$`));
  await bob.waitForHydration();
  await expect(bob.message("the surprise party is on Saturday")).toBeVisible();
  await expect(bob.page.getByLabel("Invite link (whoever opens it can join)")).toHaveCount(0);

  // Ann makes a new link: the old one stops working, the new one lets Carol in.
  await ann.page.getByRole("button", { name: "New link" }).click();
  await expect(invite).not.toHaveValue(firstLink);
  const secondLink = await invite.inputValue();
  expect(secondLink).toContain(`/invite/${name}.2.`);
  const old = await carol.page.goto(firstLink);
  expect(old?.status()).toBe(403);
  await expect(carol.page.getByRole("heading", { name: "This invite link does not work" })).toBeVisible();
  await carol.page.goto(secondLink);
  await carol.page.getByRole("button", { name: `Join ${name}` }).click();
  await carol.waitForHydration();
  await expect(carol.message("the surprise party is on Saturday")).toBeVisible();
});
