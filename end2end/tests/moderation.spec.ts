import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

test("a room's creator deletes a spammer's message and a third person sees it go, live", async ({ browser }) => {
  const room = freshRoom("mod");
  const person = async () => new ChatPage(await (await browser.newContext()).newPage());
  const [carol, spammer, reader] = [await person(), await person(), await person()];

  // Carol starts the room with its first message: she moderates it.
  await carol.goto(room);
  await carol.waitUntilLive();
  await carol.send("welcome to the corner");
  await expect(carol.message("welcome to the corner")).toBeVisible();

  await spammer.goto(room);
  await spammer.waitUntilLive();
  await spammer.send("buy cheap watches");
  await reader.goto(room);
  await reader.waitUntilLive();
  await expect(reader.message("buy cheap watches")).toBeVisible();

  // The spammer sees no Delete on Carol's message; Carol sees one on the spam.
  await expect(spammer.message("welcome to the corner").getByRole("button", { name: "Delete" })).toHaveCount(0);
  await carol.page.reload();
  await carol.waitForHydration();
  await carol.waitUntilLive();
  const spam = carol.message("buy cheap watches");
  await spam.hover();
  await spam.getByRole("button", { name: "Delete" }).click();
  await expect(reader.messages.getByRole("listitem")).toHaveText([/welcome to the corner/, /message deleted/]);
  await expect(spammer.messages.getByRole("listitem")).toHaveText([/welcome to the corner/, /message deleted/]);
});

test("an administrator deletes a spammer's message in someone else's room and a third person sees it go, live", async ({ browser }) => {
  const room = freshRoom("admin-mod");
  const person = async () => new ChatPage(await (await browser.newContext()).newPage());
  const [admin, spammer, reader] = [await person(), await person(), await person()];
  const name = `Ada ${room.slice(-6)}`;

  // Ada signs up and the operator makes her an administrator (the server keeps serving).
  await admin.page.goto("/account");
  await expect(admin.page.locator("main.account-page")).toHaveAttribute("data-hydrated", "true");
  await admin.page.locator("#sign-up-name").fill(name);
  await admin.page.locator("#sign-up-password").fill("correct horse battery");
  await admin.page.getByRole("button", { name: "Sign up" }).click();
  await expect(admin.page.getByRole("heading", { name })).toBeVisible();
  execFileSync("../target/release/chat", ["admin", "grant", name], {
    env: { ...process.env, DATABASE_URL: `sqlite://${process.env.E2E_DATABASE}`, RUST_LOG: "warn" },
  });

  // The spammer starts the room (it is theirs), and a reader follows it.
  await spammer.goto(room);
  await spammer.waitUntilLive();
  await spammer.send("buy cheap watches");
  await reader.goto(room);
  await reader.waitUntilLive();
  await expect(reader.message("buy cheap watches")).toBeVisible();

  // Within a second every node reads Ada's new role; her page offers Delete and Ban….
  await expect(async () => {
    await admin.goto(room);
    await expect(admin.message("buy cheap watches").getByRole("button", { name: "Delete" })).toHaveCount(1, { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await admin.waitUntilLive();
  const spam = admin.message("buy cheap watches");
  await spam.hover();
  await expect(spam.getByRole("link", { name: "Ban…" })).toBeVisible();
  await spam.getByRole("button", { name: "Delete" }).click();
  await expect(reader.messages.getByRole("listitem")).toHaveText([/message deleted/]);
});
