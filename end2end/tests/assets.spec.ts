import { expect, test } from "@playwright/test";

test("assets are hashed, precompressed and cached for a year; pages are revalidated; streams are not compressed", async ({
  page,
  request,
  baseURL,
}) => {
  const html = await request.get("/r/lobby");
  expect(html.headers()["cache-control"]).toBe("no-cache");
  const body = await html.text();
  const wasm = body.match(/\/pkg\/chat\.[\w-]{8,}\.wasm/)?.[0];
  const css = body.match(/\/pkg\/chat\.[\w-]{8,}\.css/)?.[0];
  expect(wasm, "the page names the hashed wasm").toBeTruthy();
  expect(css, "and the hashed stylesheet").toBeTruthy();

  for (const asset of [wasm!, css!]) {
    const response = await request.get(asset, { headers: { "accept-encoding": "br" } });
    expect(response.status()).toBe(200);
    expect(response.headers()["content-encoding"]).toBe("br");
    expect(response.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
  }

  // The browser loads them and the page works.
  await page.goto("/r/lobby");
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();

  // An event stream is never compressed, whatever the browser accepts.
  const events = await fetch(`${baseURL}/api/events?rooms=lobby`, {
    headers: { "accept-encoding": "br, gzip" },
  });
  expect(events.headers.get("content-type")).toContain("text/event-stream");
  expect(events.headers.get("content-encoding")).toBeNull();
  await events.body?.cancel();
});
