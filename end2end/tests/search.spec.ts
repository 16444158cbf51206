import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

test("search finds an edited message by its new words, not its old ones, and opens it in context", async ({
  page,
}) => {
  const room = freshRoom("search");
  // Words of this run only, so other tests' messages never match.
  const tag = room.replace(/[^a-z0-9]/g, "");
  const chat = new ChatPage(page);
  await chat.goto(room);
  await chat.send(`the ${tag} launch is on Friday`);
  await chat.send(`lunch with ${tag} people`);
  await expect(chat.message("lunch with")).toBeVisible();

  // Edit the first: from now on it speaks of Monday.
  const first = chat.message("launch is on Friday");
  await first.hover();
  await first.getByRole("button", { name: "Edit" }).click();
  const editor = page.getByLabel("Edit message");
  await editor.fill(`the ${tag} launch moved to Monday`);
  await editor.press("Enter");
  await expect(chat.message("moved to Monday")).toBeVisible();

  const search = page.getByRole("search");
  await search.getByLabel("Search messages").fill(`${tag} monday`);
  await search.getByRole("button", { name: "Search" }).click();
  const results = page.getByRole("list", { name: "Results" }).locator("li");
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText(`the ${tag} launch moved to Monday`);
  await expect(results.first().locator("mark")).toHaveText([tag, "Monday"]);
  await expect(results.first().locator(".result-room")).toHaveText(`#${room}`);

  // The old words find nothing; a word's start finds both, newest first.
  await page.getByRole("search").getByLabel("Search messages").fill(`${tag} friday`);
  await page.getByRole("search").getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No message matches these words.")).toBeVisible();
  await page.getByRole("search").getByLabel("Search messages").fill(tag.slice(0, 12));
  await page.getByRole("search").getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("list", { name: "Results" }).locator(".message-body")).toHaveText([
    `lunch with ${tag} people`,
    `the ${tag} launch moved to Monday`,
  ]);

  // A result opens the room at the message, highlighted.
  await page.getByRole("list", { name: "Results" }).locator("a").last().click();
  await expect(page).toHaveURL(new RegExp(`/r/${room}\\?at=1$`));
  await new ChatPage(page).waitForHydration();
  await expect(page.locator('li.message[data-seq="1"]')).toHaveClass(/highlight/);
});
