// Takes the README's screenshots of a running server:
//   node screenshot.mjs http://127.0.0.1:3000/r/lobby ../docs
import { chromium } from "@playwright/test";

const [url = "http://127.0.0.1:3000/r/lobby", outDir = "../docs"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const shots = [
  { name: "room", viewport: { width: 1100, height: 720 }, colorScheme: "light" },
  { name: "room-dark", viewport: { width: 1100, height: 720 }, colorScheme: "dark" },
  { name: "room-phone", viewport: { width: 375, height: 740 }, colorScheme: "light", isMobile: true },
];
for (const { name, ...options } of shots) {
  const page = await browser.newPage(options);
  await page.goto(url);
  await page.locator('main[data-hydrated="true"]').waitFor();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  await page.screenshot({ path: `${outDir}/${name}.png` });
  await page.close();
}
await browser.close();
