import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom, seed } from "./fixtures/chat_page";

test("the room list shows active rooms and joins a room by name", async ({ page, request }) => {
  const room = freshRoom("listed");
  await seed(request, room, ["first words"]);
  await page.goto("/");
  const entry = page.getByRole("list", { name: "Rooms" }).getByRole("link", { name: new RegExp(room) });
  await expect(entry).toContainText("1 message ·");
  await entry.click();
  await expect(page).toHaveURL(new RegExp(`/r/${room}$`));

  await page.goto("/");
  await page.getByLabel("Create or join a room").fill("Brand New Room");
  await page.getByRole("button", { name: "Go" }).click();
  await expect(page).toHaveURL(/\/r\/brand-new-room$/);
  await new ChatPage(page).waitForHydration();

  await page.goto("/");
  await page.getByLabel("Create or join a room").fill("ünïcode!");
  await page.getByRole("button", { name: "Go" }).click();
  await expect(page.locator("#join-error")).toContainText("Room names are 1 to 32 characters");
});
