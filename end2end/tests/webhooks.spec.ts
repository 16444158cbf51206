import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

test("a room's creator makes a webhook and a script's post arrives live, marked as a bot", async ({ browser, request }) => {
  const room = freshRoom("hook");
  const person = async () => new ChatPage(await (await browser.newContext()).newPage());
  const [carol, reader] = [await person(), await person()];

  // Carol starts the room: she may make its webhooks.
  await carol.goto(room);
  await carol.waitUntilLive();
  await carol.send("builds land here");
  await expect(carol.message("builds land here")).toBeVisible();
  await carol.page.reload();
  await carol.waitForHydration();
  await carol.page.getByText("Webhooks", { exact: true }).click();
  await carol.page.getByLabel("Name", { exact: true }).fill("CI");
  await carol.page.getByRole("button", { name: "Make a webhook" }).click();
  const url = await carol.page.locator("#new-webhook").inputValue();
  expect(url).toMatch(/\/hooks\//);

  await reader.goto(room);
  await reader.waitUntilLive();
  // A script posts, as Slack's and everyone's scripts do: JSON with a text.
  const posted = await request.post(url, { data: { text: "build 42 passed", username: "CI bot" } });
  expect(posted.status()).toBe(200);
  expect((await posted.json()).bot).toBe(true);
  const arrived = reader.message("build 42 passed");
  await expect(arrived).toBeVisible();
  await expect(arrived.locator(".message-author")).toHaveText("CI bot");
  await expect(arrived.locator(".bot-mark")).toHaveText(/bot/i);

  // Revoked, the URL posts nothing.
  await carol.page.getByRole("button", { name: "Revoke the webhook CI" }).click();
  await expect(carol.page.getByRole("button", { name: "Revoke the webhook CI" })).toHaveCount(0);
  const refused = await request.post(url, { data: { text: "after revoking" } });
  expect(refused.status()).toBe(404);
});
