import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";
import { ServerProcess } from "./fixtures/server";

test("a stream that goes silent without an error is noticed and resumed", async ({ page, baseURL }) => {
  // Its own server, beating every second: a silent stream is dead after 2.5 s.
  const server = new ServerProcess(baseURL!, { offset: 7, env: { CHAT_HEARTBEAT_SECS: "1" } });
  await server.start();
  try {
    const room = freshRoom("silent");
    const reader = new ChatPage(page);
    await page.goto(`${server.baseURL}/r/${room}`);
    await reader.waitForHydration();
    await reader.waitUntilLive();
    await server.send(room, "before");
    await expect(reader.message("before")).toBeVisible();

    // The process freezes: the connection stays open and nothing more comes, no error
    // either (as when a phone's network or a proxy drops a stream without a word).
    server.pause();
    await expect(reader.connection).toHaveText("Reconnecting…", { timeout: 6_000 });
    server.resume();
    await server.send(room, "after");
    await expect(reader.message("after")).toBeVisible({ timeout: 10_000 });
    await expect(reader.connection).toHaveText("Live");
    expect(await reader.bodies()).toEqual(["before", "after"]);
  } finally {
    server.resume();
    await server.stop();
  }
});
