// Takes the README's screenshots of a running server:
//   node screenshot.mjs http://127.0.0.1:3000 ../docs
import { chromium } from "@playwright/test";

const [base = "http://127.0.0.1:3000", outDir = "../docs"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const desktop = { viewport: { width: 1100, height: 720 } };
const phone = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };
const shots = [
  { name: "room", path: "/r/lobby", ...desktop, colorScheme: "light" },
  { name: "room-dark", path: "/r/lobby", ...desktop, colorScheme: "dark" },
  { name: "room-phone", path: "/r/lobby", ...phone, colorScheme: "light" },
  { name: "room-phone-dark", path: "/r/lobby", ...phone, colorScheme: "dark" },
  { name: "rooms", path: "/", ...desktop, colorScheme: "light" },
];
for (const { name, path, ...options } of shots) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(base + path);
  if (path.startsWith("/r/")) {
    await page.locator('main[data-hydrated="true"]').waitFor();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  }
  await page.screenshot({ path: `${outDir}/${name}.png` });
  await context.close();
}
await browser.close();
