// Measures what one browser with ten tabs on ten rooms costs the server: the event streams
// open in the browser and the TCP connections the server holds from it (`ss`).
//   cd end2end && node count-connections.mjs http://127.0.0.1:3000 3000 [nolock]
// `nolock` deletes navigator.locks first: every tab on its own stream, as before.
import { chromium } from "@playwright/test";
import { execSync } from "node:child_process";
const [base, port, lockless] = [process.argv[2], process.argv[3], process.argv[4] === "nolock"];
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"] });
const context = await browser.newContext({ ignoreHTTPSErrors: true });
if (lockless) await context.addInitScript(() => { delete Navigator.prototype.locks; });
let open = 0;
context.on("request", (r) => { if (r.resourceType() === "eventsource") open++; });
const ended = (r) => { if (r.resourceType() === "eventsource") open--; };
context.on("requestfinished", ended); context.on("requestfailed", ended);
for (let n = 0; n < 10; n++) {
  const page = await context.newPage();
  await page.goto(`${base}/r/count-${n}`, { timeout: 8000 }).catch(() => console.log(`tab ${n + 1} did not load`));
}
await new Promise((done) => setTimeout(done, 3000));
const established = execSync(`ss -tnH state established '( sport = :${port} )' | wc -l`).toString().trim();
console.log(`event streams open in the browser: ${open}; TCP connections the server holds: ${established}`);
await browser.close();
