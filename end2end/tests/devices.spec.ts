import { expect, test, type Page } from "@playwright/test";
import { ChatPage, freshRoom, seed } from "./fixtures/chat_page";

const password = "correct horse battery";

/** The sidebar entry of `room` on `chat`'s page. */
function entry(chat: ChatPage, room: string) {
  return chat.page.getByRole("navigation", { name: "Your rooms" }).locator("li", {
    has: chat.page.getByRole("link", { name: room, exact: true }),
  });
}

async function onAccountPage(page: Page) {
  await page.goto("/account");
  await expect(page.locator("main.account-page")).toHaveAttribute("data-hydrated", "true");
}

test("a device link brings a phone in as the same person: same rooms, reading on one clears the other live, and the laptop ends it", async ({
  browser,
  request,
}) => {
  const news = freshRoom("dev-news");
  const here = freshRoom("dev-here");
  const name = `Dee ${news.slice(-6)}`;
  const device = async () => new ChatPage(await (await browser.newContext()).newPage());
  const [laptop, phone] = [await device(), await device()];

  // The laptop signs up and joins a room.
  await onAccountPage(laptop.page);
  await laptop.page.locator("#sign-up-name").fill(name);
  await laptop.page.locator("#sign-up-password").fill(password);
  await laptop.page.getByRole("button", { name: "Sign up" }).click();
  await expect(laptop.page.getByRole("heading", { name })).toBeVisible();
  await laptop.goto(news);
  await laptop.waitUntilLive();
  await laptop.send("first news");

  // It makes a sign-in link (with its QR code); the phone opens it and signs in.
  await onAccountPage(laptop.page);
  await laptop.page.getByRole("button", { name: "Make a sign-in link" }).click();
  await expect(laptop.page.getByRole("img", { name: "QR code of the sign-in link" })).toBeVisible();
  const link = await laptop.page.locator("#device-link-url").inputValue();
  expect(link).toMatch(/\/link\//);
  await phone.page.goto(link);
  await expect(phone.page.getByRole("heading", { name: `Sign in as ${name} on this device?` })).toBeVisible();
  await phone.page.getByRole("button", { name: `Sign in as ${name}` }).click();
  await expect(phone.page).toHaveURL(/\/$/);

  // Same person: the phone's sidebar holds the laptop's room.
  await phone.goto(here);
  await phone.waitUntilLive();
  await expect(entry(phone, news)).toBeVisible();
  // Someone writes in it: both devices count it; reading it on the laptop clears the phone.
  await seed(request, news, ["breaking", "more breaking"]);
  await expect(entry(phone, news).locator(".unread-count")).toHaveText("2");
  await laptop.goto(news);
  await expect(laptop.message("more breaking")).toBeVisible();
  await expect(entry(phone, news).locator(".unread-count")).toHaveCount(0);

  // A used link signs nobody else in.
  const stranger = await device();
  await stranger.page.goto(link);
  await expect(stranger.page.getByRole("button", { name: /Sign in as/ })).toHaveCount(0);

  // The laptop ends the phone's session: the phone is a guest again. (Its open stream
  // closes at once and reconnects as a guest too quickly to watch here: the API tests
  // time that, under 2 s.)
  await onAccountPage(laptop.page);
  const rows = laptop.page.locator(".session-row");
  await expect(rows).toHaveCount(2);
  await laptop.page.locator(".session-row:not(.current)").getByRole("button", { name: /End the session/ }).click();
  await expect(rows).toHaveCount(1);
  await onAccountPage(phone.page);
  await expect(phone.page.getByRole("heading", { name: "Sign up" })).toBeVisible();
});
