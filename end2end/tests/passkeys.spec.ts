import { expect, test } from "@playwright/test";

const password = "correct horse battery";

test("an account adds a passkey and signs in with it instead of its password", async ({ browser, baseURL }) => {
  // A passkey belongs to a name, never to an address: this test reaches the same server as
  // localhost, and Chromium's virtual authenticator stands in for the device's.
  const port = new URL(baseURL ?? "http://127.0.0.1:3100").port;
  const context = await browser.newContext({ baseURL: `http://localhost:${port}` });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const name = `Pia ${Date.now().toString(36).slice(-6)}`;
  const hydrated = page.locator("main.account-page");

  await page.goto("/account");
  await expect(hydrated).toHaveAttribute("data-hydrated", "true");
  await page.locator("#sign-up-name").fill(name);
  await page.locator("#sign-up-password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(hydrated).toHaveAttribute("data-hydrated", "true");

  // Add a passkey made by this "device".
  await page.locator("#passkey-name").fill("Laptop");
  await page.locator("#passkey-password").fill(password);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByText("Added the passkey Laptop.")).toBeVisible();
  const passkeys = page.locator("section[aria-labelledby=passkeys-title] .session-row");
  await expect(passkeys).toHaveCount(1);
  await expect(passkeys).toContainText("never used");

  // Signed out, the name and the passkey sign in: no password typed.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign up" })).toBeVisible();
  await expect(hydrated).toHaveAttribute("data-hydrated", "true");
  await page.locator("#sign-in-name").fill(name);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(passkeys).toContainText("last used");

  // Another name has no passkey here: refused in place.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(hydrated).toHaveAttribute("data-hydrated", "true");
  await page.locator("#sign-in-name").fill("nobody-with-a-passkey");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByText("No passkey signs in to that name.")).toBeVisible();
  await context.close();
});
