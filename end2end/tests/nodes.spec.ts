import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom } from "./fixtures/chat_page";
import { RedisProcess, ServerProcess } from "./fixtures/server";

test("two people on two nodes sharing Redis see each other online, typing and writing", async ({ browser, baseURL }) => {
  const redisPort = Number(new URL(baseURL!).port) + 10;
  const redis = new RedisProcess(redisPort);
  const env = {
    REDIS_URL: redis.url,
    CHAT_REDIS_PREFIX: `e2e-${Date.now()}`,
    // Both nodes sign sessions with one secret (required with Redis).
    CHAT_SESSION_SECRET: `e2e-secret-${Date.now()}-shared-by-both-nodes`,
  };
  const nodeA = new ServerProcess(baseURL!, { offset: 2, env });
  const nodeB = new ServerProcess(baseURL!, { offset: 3, env });
  try {
    await nodeA.start();
    await nodeB.start();
    const room = freshRoom("nodes");
    const alice = new ChatPage(await (await browser.newContext()).newPage());
    const bob = new ChatPage(await (await browser.newContext()).newPage());
    await alice.page.goto(`${nodeA.baseURL}/r/${room}`);
    await bob.page.goto(`${nodeB.baseURL}/r/${room}`);
    await alice.waitForHydration();
    await bob.waitForHydration();
    await alice.setName("Alice");
    await bob.setName("Bob");
    await alice.waitUntilLive();
    await bob.waitUntilLive();
    await expect(alice.online.getByRole("listitem")).toHaveText(["Alice", "Bob"]);
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob"]);

    await alice.body.pressSequentially("hello from node");
    await expect(bob.typing).toHaveText("Alice is typing…");
    await alice.body.pressSequentially(" A");
    await alice.body.press("Enter");
    await expect(bob.message("hello from node A")).toBeVisible();
    await bob.send("hello back from node B");
    await expect(alice.message("hello back from node B")).toBeVisible();
    expect(await alice.bodies()).toEqual(["hello from node A", "hello back from node B"]);
    expect(await bob.bodies()).toEqual(["hello from node A", "hello back from node B"]);
  } finally {
    await nodeA.stop();
    await nodeB.stop();
    await redis.stop();
  }
});
