// Takes the screenshots of README.md and docs/features.md from a running server:
//   node screenshot.mjs http://127.0.0.1:3000 ../docs
// Emoji need a colour emoji font (Debian: fonts-noto-color-emoji), else they show as boxes.
import { chromium } from "@playwright/test";

const [base = "http://127.0.0.1:3000", outDir = "../docs"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
// An empty lobby gets a short conversation first: two people, a reply, reactions, a picture
// and a file, a code block (pinned), a mention.
const lobby = await (await fetch(`${base}/api/room?room=lobby`)).json();
if (lobby.messages.length === 0) {
  const person = async (name) => {
    const context = await browser.newContext();
    await context.request.post(`${base}/api/set_name`, { form: { name } });
    return context.request;
  };
  const [ann, bob] = [await person("Ann"), await person("Bob")];
  // Opening the lobby joins it: Ann can be mentioned there.
  const annId = (await (await ann.get(`${base}/api/room?room=lobby`)).json()).viewer.id;
  const say = async (who, body, extra = {}) =>
    (await (await who.post(`${base}/api/send_message`, { form: { room: "lobby", body, ...extra } })).json()).seq;
  const plan = await say(ann, "Morning! Shall we ship the new sidebar today?\nThe phone layout is done.");
  await say(bob, "Yes, after the review at 11. I looked at it on my phone: folds nicely.", { reply_to: String(plan) });
  for (const [who, emoji] of [[bob, "👍"], [ann, "🎉"], [bob, "🎉"]]) {
    await who.post(`${base}/api/add_reaction`, { form: { room: "lobby", seq: String(plan), emoji } });
  }
  // A picture of the rooms page, as someone would paste a screenshot.
  const shooting = await browser.newPage({ viewport: { width: 900, height: 560 } });
  await shooting.goto(`${base}/`);
  const picture = await shooting.screenshot();
  await shooting.close();
  const upload = async (who, name, mimeType, buffer) =>
    (await (await who.post(`${base}/api/upload`, {
      multipart: { room: "lobby", file: { name, mimeType, buffer } },
    })).json()).id;
  const shot = await upload(ann, "rooms-page.png", "image/png", picture);
  await say(ann, "Here it is with the **new** room list:", { attachments: shot });
  const steps = await say(bob, "Release steps, for the record:\n```sh\nmake test\ncargo leptos build --release\n```\n**Don't** forget the changelog.");
  await ann.post(`${base}/api/pin_message`, { form: { room: "lobby", seq: String(steps), pinned: "true" } });
  const notes = await upload(bob, "review-notes.pdf", "application/pdf", Buffer.from("%PDF-1.4\n% review notes\n"));
  await say(bob, "@Ann notes from the review: https://example.com/sidebar", { mentions: annId, attachments: notes });
}
const desktop = { viewport: { width: 1100, height: 720 } };
const phone = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };
const shots = [
  { name: "room", path: "/r/lobby", ...desktop, colorScheme: "light" },
  { name: "room-dark", path: "/r/lobby", ...desktop, colorScheme: "dark" },
  { name: "room-phone", path: "/r/lobby", ...phone, colorScheme: "light" },
  { name: "room-phone-dark", path: "/r/lobby", ...phone, colorScheme: "dark" },
  { name: "rooms", path: "/", ...desktop, colorScheme: "light" },
  { name: "search", path: "/search?q=sidebar", ...desktop, colorScheme: "light" },
  { name: "private-room", path: "private", ...desktop, colorScheme: "light" },
];
for (const { name, path, ...options } of shots) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  if (path.startsWith("/r/")) {
    // Join two more rooms, then let news arrive: the sidebar shows unread counts and a mention.
    await context.request.post(`${base}/api/set_name`, { form: { name: "Cleo" } });
    for (const room of ["design", "rust-help"]) await page.goto(`${base}/r/${room}`);
    const cleo = (await (await context.request.get(`${base}/api/room?room=design`)).json()).viewer.id;
    const news = [
      ["rust-help", "Has anyone tried the new borrow checker diagnostics?"],
      ["rust-help", "Yes, much clearer."],
      ["design", "@Cleo could you look at the new icons?", cleo],
    ];
    for (const [room, body, mentions = ""] of news) {
      // Sent by someone else: a request without this context's session.
      const form = new URLSearchParams({ room, body, mentions });
      await fetch(`${base}/api/send_message`, { method: "POST", body: form });
    }
  }
  if (path === "private") {
    // A private room of this context's person: the lock, and the invite link to share.
    await context.request.post(`${base}/api/set_name`, { form: { name: "Ann" } });
    const form = { name: "team-offsite", private: "true" };
    await context.request.post(`${base}/api/create_room`, { form });
    const body = "Venue shortlist is in the doc. Dates next week?";
    await context.request.post(`${base}/api/send_message`, { form: { room: "team-offsite", body } });
    await page.goto(`${base}/r/team-offsite`);
    await page.locator('main[data-hydrated="true"]').waitFor();
    await page.screenshot({ path: `${outDir}/${name}.png` });
    await context.close();
    continue;
  }
  await page.goto(base + path);
  if (path.startsWith("/r/")) {
    await page.locator('main[data-hydrated="true"]').waitFor();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  }
  await page.screenshot({ path: `${outDir}/${name}.png` });
  await context.close();
}
// Offline: the lobby as this device kept it, and a message waiting for the network.
{
  const context = await browser.newContext({ ...desktop, colorScheme: "light" });
  const page = await context.newPage();
  await context.request.post(`${base}/api/set_name`, { form: { name: "Cleo" } });
  await page.goto(`${base}/r/lobby`);
  await page.locator('main[data-hydrated="true"]').waitFor();
  await page.waitForFunction(async () => (await caches.match(`${location.origin}/r/lobby`)) !== undefined);
  await context.setOffline(true);
  await page.reload();
  await page.locator('main[data-hydrated="true"]').waitFor();
  await page.getByLabel("Message", { exact: true }).fill("On the train: I'll review the sidebar tonight.");
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator("li.message.pending").waitFor();
  await page.screenshot({ path: `${outDir}/offline.png` });
  await context.close();
}
await browser.close();
