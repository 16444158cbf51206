import { expect, test, type Page } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

const password = "correct horse battery";

async function onAccountPage(page: Page) {
  await page.goto("/account");
  await expect(page.locator("main.account-page")).toHaveAttribute("data-hydrated", "true");
}

test("a guest signs up, a phone signs in to the same person, and the laptop signs the phone out", async ({ browser }) => {
  const room = freshRoom("acct");
  const name = `Ann ${room.slice(-6)}`;
  const device = async () => new ChatPage(await (await browser.newContext()).newPage());
  const [laptop, phone] = [await device(), await device()];

  // As a guest, Ann writes in a room (which joins it), then signs up from the header's link.
  await laptop.goto(room);
  await laptop.waitUntilLive();
  await laptop.send("written before signing up");
  await laptop.page.getByRole("link", { name: "Account" }).click();
  await expect(laptop.page.getByRole("heading", { name: "Sign up" })).toBeVisible();
  await expect(laptop.page.locator("main.account-page")).toHaveAttribute("data-hydrated", "true");
  await laptop.page.getByLabel("Name").first().fill(name);
  await laptop.page.getByLabel("Password").first().fill(password);
  await laptop.page.getByRole("button", { name: "Sign up" }).click();
  await expect(laptop.page.getByRole("heading", { name })).toBeVisible();
  await expect(laptop.page.getByText("(this device)")).toBeVisible();

  // The phone signs in and is the same person: the same rooms in its sidebar, its message
  // under the account's name.
  await onAccountPage(phone.page);
  await phone.page.locator("#sign-in-name").fill(name.toUpperCase());
  await phone.page.locator("#sign-in-password").fill(password);
  await phone.page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(phone.page.getByRole("heading", { name })).toBeVisible();
  await phone.goto(room);
  await expect(phone.page.getByRole("navigation", { name: "Your rooms" }).getByText(room)).toBeVisible();
  await expect(phone.message("written before signing up")).toBeVisible();
  await phone.waitUntilLive();
  await phone.send("written on the phone");
  await expect(laptop.page.getByRole("heading", { name })).toBeVisible();

  // The laptop lists both devices and ends the phone's: the phone is a guest again.
  await onAccountPage(laptop.page);
  const rows = laptop.page.locator(".session-row");
  await expect(rows).toHaveCount(2);
  await laptop.page.locator(".session-row:not(.current)").getByRole("button", { name: /End the session/ }).click();
  await expect(rows).toHaveCount(1);
  await onAccountPage(phone.page);
  await expect(phone.page.getByRole("heading", { name: "Sign up" })).toBeVisible();

  // Signing out on the laptop makes it a guest too.
  await onAccountPage(laptop.page);
  await laptop.page.getByRole("button", { name: "Sign out" }).click();
  await expect(laptop.page.getByRole("heading", { name: "Sign up" })).toBeVisible();
});

test("a wrong password is refused with a sentence, in place", async ({ page }) => {
  await onAccountPage(page);
  await page.locator("#sign-in-name").fill("nobody-by-this-name");
  await page.locator("#sign-in-password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("That name and password do not match.")).toBeVisible();
});
