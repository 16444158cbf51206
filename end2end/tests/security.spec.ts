import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

test("under a strict Content-Security-Policy the page hydrates, goes live and sends, with no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(error.message));

  const room = freshRoom("csp");
  const response = await page.goto(`/r/${room}`);
  const headers = response!.headers();
  const policy = headers["content-security-policy"];
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{20,}' 'wasm-unsafe-eval'/);
  expect(policy).not.toContain("unsafe-inline");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");

  // The nonce in the header is the one on the page's scripts.
  const nonce = policy.match(/'nonce-([^']+)'/)![1];
  const scripts = page.locator("script");
  for (const script of await scripts.all()) {
    expect(await script.evaluate((s) => (s as HTMLScriptElement).nonce)).toBe(nonce);
  }

  const chat = new ChatPage(page);
  await chat.waitForHydration();
  await chat.waitUntilLive();
  await chat.send("allowed to run");
  await expect(chat.message("allowed to run")).toBeVisible();
  expect(violations).toEqual([]);
});

test("a page with another nonce would not run an injected inline script", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`/r/${freshRoom("inject")}`);
  const ran = await page.evaluate(() => {
    (window as unknown as { injected?: boolean }).injected = false;
    const script = document.createElement("script");
    script.textContent = "window.injected = true";
    document.body.appendChild(script);
    return (window as unknown as { injected?: boolean }).injected;
  });
  expect(ran).toBe(false);
  await expect.poll(() => violations.length).toBeGreaterThan(0);
});
