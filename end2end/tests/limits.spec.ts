import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";
import { ServerProcess } from "./fixtures/server";

test("a message over the send limit says why, waits, and is sent by itself once allowed", async ({ page, baseURL }) => {
  // Two messages at once, then one every two seconds.
  const server = new ServerProcess(baseURL!, {
    offset: 5, // its own port: offsets 1–4 and 10 are taken by other tests
    env: { CHAT_SEND_BURST: "2", CHAT_SENDS_PER_MINUTE: "30", CHAT_ADDRESS_LIMIT_FACTOR: "5" },
  });
  await server.start();
  try {
    const room = freshRoom("limit");
    const chat = new ChatPage(page);
    await page.goto(`${server.baseURL}/r/${room}`);
    await chat.waitForHydration();
    await chat.waitUntilLive();

    await chat.send("one");
    await chat.send("two");
    await chat.send("three");
    const waiting = chat.messages.locator("li.pending").filter({ hasText: "three" });
    await expect(waiting).toContainText("You are going too fast. Please wait");
    await expect(chat.body).toHaveValue("");

    // Nobody clicks anything: it goes by itself, once, in order.
    await expect(chat.message("three")).toBeVisible({ timeout: 10_000 });
    await expect(chat.messages.locator("li.pending")).toHaveCount(0);
    expect(await chat.bodies()).toEqual(["one", "two", "three"]);
  } finally {
    await server.stop();
  }
});
