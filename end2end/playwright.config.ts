import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The release server, started by Playwright on its own port with a fresh database.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// Made once, by the runner: the workers (which read this file again) inherit its path, so a
// test can run the operator's `chat admin grant` on the server's own store.
const database = process.env.E2E_DATABASE ?? join(mkdtempSync(join(tmpdir(), "chat-e2e-")), "chat.db");
process.env.E2E_DATABASE = database;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // Running as root needs --no-sandbox; the rest keep Chromium off the closed network.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: "./target/release/chat",
    cwd: "..",
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      CHAT_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${database}`,
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_ENV: "PROD",
      RUST_LOG: "warn",
      // Closed pages are noticed at the next heartbeat: keep presence tests quick.
      CHAT_HEARTBEAT_SECS: "1",
      // Limits stay on, but every browser context here shares 127.0.0.1 and the tests seed
      // history through the API far faster than a person types.
      CHAT_SEND_BURST: "500",
      CHAT_ADDRESS_LIMIT_FACTOR: "50",
      CHAT_MAX_STREAMS_PER_ADDRESS: "1000",
    },
  },
});
