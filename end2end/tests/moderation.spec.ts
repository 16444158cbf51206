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
