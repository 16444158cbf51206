import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";

test("a direct message from the people online, in both sidebars and nobody else's", async ({ browser }) => {
  const room = freshRoom("direct");
  const person = async () => new ChatPage(await (await browser.newContext()).newPage());
  const [ann, bob, carol] = [await person(), await person(), await person()];
  const suffix = room.slice(-5);
  for (const [page, name] of [[ann, `Ann${suffix}`], [bob, `Bob${suffix}`]] as const) {
    await page.goto(room);
    await page.waitUntilLive();
    await page.setName(name);
  }
  await expect(ann.online.getByText(`Bob${suffix}`)).toBeVisible();

  // Ann messages Bob from the people online: she lands in their room and writes.
  await ann.online.getByRole("button", { name: `Message Bob${suffix}` }).click();
  await expect(ann.page).toHaveURL(/\/r\/dm-[0-9a-f]{29}$/);
  const dm = new URL(ann.page.url()).pathname;
  await ann.waitForHydration();
  await ann.waitUntilLive();
  await ann.send("just between us");
  await expect(ann.message("just between us")).toBeVisible();
  await expect(ann.page.getByRole("navigation", { name: "Direct messages" }).getByText(`@Bob${suffix}`)).toBeVisible();

  // Bob finds it in his sidebar, under Direct messages, unread.
  await bob.page.reload();
  await bob.waitForHydration();
  const direct = bob.page.getByRole("navigation", { name: "Direct messages" });
  await expect(direct.getByText(`@Ann${suffix}`)).toBeVisible();
  await expect(direct.getByLabel("1 unread")).toBeVisible();
  await direct.getByText(`@Ann${suffix}`).click();
  await bob.waitForHydration();
  await expect(bob.message("just between us")).toBeVisible();

  // Carol cannot open it.
  const refused = await carol.page.goto(dm);
  expect(refused?.status()).toBe(403);
  await expect(carol.page.getByText("just between us")).toHaveCount(0);
});
