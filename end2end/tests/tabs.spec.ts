import { expect, test, type BrowserContext } from "@playwright/test";
import { ChatPage, freshRoom, seed } from "./fixtures/chat_page";
import { ServerProcess } from "./fixtures/server";

/** Counts the live `EventSource` streams every page of `context` holds. */
function countStreams(context: BrowserContext) {
  const open = new Set<unknown>();
  context.on("request", (request) => {
    if (request.resourceType() === "eventsource") open.add(request);
  });
  const ended = (request: unknown) => open.delete(request);
  context.on("requestfinished", ended);
  context.on("requestfailed", ended);
  return { open: () => open.size };
}

/** Opens one tab per room in `context`, one after the other, as a person would. */
async function openTabs(context: BrowserContext, rooms: string[]): Promise<ChatPage[]> {
  const tabs: ChatPage[] = [];
  for (const room of rooms) {
    const tab = new ChatPage(await context.newPage());
    await tab.goto(room);
    tabs.push(tab);
  }
  for (const tab of tabs) await tab.waitUntilLive();
  return tabs;
}

test("ten tabs on ten rooms in one browser all load and receive live, over one stream", async ({
  browser,
  request,
}) => {
  const context = await browser.newContext();
  const streams = countStreams(context);
  const rooms = Array.from({ length: 10 }, (_, n) => freshRoom(`tab${n}`));
  const tabs = await openTabs(context, rooms);

  for (const [n, room] of rooms.entries()) await seed(request, room, [`hello ${n}`]);
  for (const [n, tab] of tabs.entries()) await expect(tab.message(`hello ${n}`)).toBeVisible();

  // The site still answers every tab at once: the six connections are not all taken.
  const answered = await tabs[9].page.evaluate(async () => {
    const started = performance.now();
    const response = await fetch("/healthz");
    return { status: response.status, ms: performance.now() - started };
  });
  expect(answered.status).toBe(200);
  expect(answered.ms).toBeLessThan(2_000);
  await expect.poll(streams.open).toBe(1);
  await context.close();
});

test("closing the leader tab while messages flow leaves every other tab with each message once, in order", async ({
  browser,
  request,
}) => {
  const context = await browser.newContext();
  const shared = freshRoom("lead-a");
  const other = freshRoom("lead-b");
  // The first tab opened leads.
  const [leader, follower, elsewhere] = await openTabs(context, [shared, shared, other]);

  const sent: string[] = [];
  const flow = (async () => {
    for (let n = 1; n <= 30; n++) {
      await seed(request, shared, [`a${n}`]);
      await seed(request, other, [`b${n}`]);
      sent.push(`a${n}`);
      await new Promise((done) => setTimeout(done, 40));
    }
  })();
  await expect.poll(() => sent.length).toBeGreaterThanOrEqual(8);
  await leader.page.close();
  await flow;

  const all = (prefix: string) => Array.from({ length: 30 }, (_, n) => `${prefix}${n + 1}`);
  await expect(follower.message("a30")).toBeVisible();
  await expect(elsewhere.message("b30")).toBeVisible();
  expect(await follower.bodies()).toEqual(all("a"));
  expect(await elsewhere.bodies()).toEqual(all("b"));

  // Another tab took over: a message now arrives within about two seconds.
  await seed(request, shared, ["after the leader left"]);
  await expect(follower.message("after the leader left")).toBeVisible({ timeout: 3_000 });
  await expect(follower.connection).toHaveText("Live");
  await context.close();
});

test("without Web Locks each tab works on its own stream", async ({ browser, request }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    delete (Navigator.prototype as { locks?: unknown }).locks;
  });
  const streams = countStreams(context);
  const rooms = [freshRoom("nolock-a"), freshRoom("nolock-b"), freshRoom("nolock-c")];
  const tabs = await openTabs(context, rooms);
  for (const [n, room] of rooms.entries()) await seed(request, room, [`own ${n}`]);
  for (const [n, tab] of tabs.entries()) await expect(tab.message(`own ${n}`)).toBeVisible();
  await expect.poll(streams.open).toBe(3);
  await context.close();
});

test("over HTTPS served directly, ten tabs all work over HTTP/2 and the session cookie is Secure", async ({
  browser,
  baseURL,
}) => {
  const server = new ServerProcess(baseURL!, { offset: 6, tls: true }); // its own port
  await server.start();
  try {
    const context = await browser.newContext({ baseURL: server.baseURL, ignoreHTTPSErrors: true });
    const streams = countStreams(context);
    const rooms = Array.from({ length: 10 }, (_, n) => freshRoom(`https${n}`));
    const tabs = await openTabs(context, rooms);
    const protocol = await tabs[0].page.evaluate(
      () => (performance.getEntriesByType("navigation")[0] as PerformanceResourceTiming).nextHopProtocol,
    );
    expect(protocol).toBe("h2");

    for (const [n, room] of rooms.entries()) await seed(context.request, room, [`secure ${n}`]);
    for (const [n, tab] of tabs.entries()) await expect(tab.message(`secure ${n}`)).toBeVisible();
    await expect.poll(streams.open).toBe(1);

    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name.includes("chat_session"));
    expect(session?.name).toBe("__Host-chat_session");
    expect(session?.secure).toBe(true);
    await context.close();
  } finally {
    await server.stop();
  }
});
