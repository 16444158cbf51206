import { expect, test } from "@playwright/test";
import { ChatPage, freshRoom, withReader } from "./fixtures/chat_page";

/** A 64 × 48 PNG, as a screenshot would paste. */
const PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAEAAAAAwCAIAAAAuKetIAAAAZElEQVR4nO3PUQkAIBTAwJfEnIY1jCH8OITBAtxm7fN1wwUNaEEDWtCAFjSgBQ1oQQNa0IAWNKAFDWhBA1rQgBY0oAUNaEEDWtCAFjSgBQ1oQQNa0IAWNKAFDWhBA1rQgBY8dgHf51kAan93JgAAAABJRU5ErkJggg==";

test("a pasted image shows as a thumbnail live in another context, and opens full size", async ({ page, browser }) => {
  const { chat, other, reader } = await withReader(page, browser, "paste");

  // Paste, as a screenshot is pasted: a file on the clipboard event of the text box.
  await chat.body.focus();
  await page.evaluate((png) => {
    const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "screenshot.png", { type: "image/png" }));
    const paste = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
    document.querySelector("#composer-body")!.dispatchEvent(paste);
  }, PNG_BASE64);
  const waiting = page.getByRole("list", { name: "Files to send" }).getByRole("listitem");
  await expect(waiting).toHaveClass(/ready/);
  await expect(waiting.locator("img.file-thumb")).toBeVisible();
  await page.keyboard.press("Enter");

  const shown = reader.messages.locator("li.attachment.image img");
  await expect(shown).toBeVisible();
  await expect(shown).toHaveAttribute("alt", "screenshot.png");
  // Shown before its bytes have arrived, perhaps: wait for them.
  await expect.poll(() => shown.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
  const link = reader.messages.locator("li.attachment.image a");
  const full = await other.request.get(await link.getAttribute("href") as string);
  expect(full.status()).toBe(200);
  expect(full.headers()["content-type"]).toBe("image/png");
  await expect(page.getByRole("list", { name: "Files to send" })).toHaveCount(0);
  await other.close();
});

test("a dropped file downloads under its name; a picked file can be taken out before sending", async ({ page, browser }) => {
  const { chat, other, reader } = await withReader(page, browser, "drop");

  // Picked, then taken out: it never goes.
  await page.locator(".attach-button input[type=file]").setInputFiles({
    name: "wrong.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("not this one"),
  });
  const waiting = page.getByRole("list", { name: "Files to send" }).getByRole("listitem");
  await expect(waiting).toHaveClass(/ready/);
  const withdrawn = page.waitForResponse((response) => response.request().method() === "DELETE");
  await page.getByRole("button", { name: "Remove wrong.txt" }).click();
  await expect(waiting).toHaveCount(0);
  // Taken back from the server too: it no longer counts against what one may hold unsent.
  expect((await withdrawn).status()).toBe(204);

  // Dropped on the composer.
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(["line one\nline two\n"], "notes.txt", { type: "text/plain" }));
    const form = document.querySelector("form.composer")!;
    form.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
    form.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await expect(waiting).toHaveClass(/ready/);
  await chat.send("the notes, as promised");

  const message = reader.message("the notes, as promised");
  const file = message.locator("li.attachment.file a");
  await expect(file).toHaveAttribute("download", "notes.txt");
  await expect(file.locator(".file-meta")).toHaveText("text/plain · 18 bytes");
  await expect(message.locator("li.attachment")).toHaveCount(1);
  const fetched = await other.request.get(await file.getAttribute("href") as string);
  expect(fetched.headers()["content-disposition"]).toContain("attachment");
  expect(await fetched.text()).toBe("line one\nline two\n");

  // It stays after a reload (the server's page shows it the same).
  await reader.page.reload();
  await reader.waitForHydration();
  await expect(reader.message("the notes, as promised").locator("li.attachment.file a")).toHaveAttribute("download", "notes.txt");
  await other.close();
});

test("without JavaScript, files are attached one by one with the upload form, taken out, and sent", async ({ browser }) => {
  const room = freshRoom("nojs-files");
  const watching = await browser.newContext();
  const watcher = new ChatPage(await watching.newPage());
  await watcher.goto(room);
  await watcher.waitUntilLive();

  const context = await browser.newContext({ javaScriptEnabled: false });
  const chat = new ChatPage(await context.newPage());
  await chat.goto(room, { hydrated: false });
  const form = chat.page.getByRole("form", { name: "Attach a file" });
  const waiting = chat.page.getByRole("list", { name: "Files to send" }).getByRole("listitem");
  for (const [count, name] of [[1, "first.txt"], [2, "second.txt"]] as const) {
    await form.locator("input[type=file]").setInputFiles({
      name,
      mimeType: "text/plain",
      buffer: Buffer.from(`the ${name}`),
    });
    await form.getByRole("button", { name: "Upload" }).click();
    await expect(waiting).toHaveCount(count);
  }
  await expect(waiting.nth(1)).toContainText("second.txt");

  await chat.page.getByRole("button", { name: "Remove first.txt" }).click();
  await expect(waiting).toHaveCount(1);
  await chat.body.fill("a file without JavaScript");
  await chat.sendButton.click();

  await expect(chat.message("a file without JavaScript").locator("li.attachment")).toHaveCount(1);
  const seen = watcher.message("a file without JavaScript").locator("li.attachment.file a");
  await expect(seen).toHaveAttribute("download", "second.txt");
  await expect(waiting).toHaveCount(0);

  // A file over the limit comes back with a sentence of the chat's own, next to the composer.
  await chat.page.goto(`/r/${room}?__path=/api/upload&__err=file_too_large`);
  await expect(chat.error).toHaveText("That file is larger than this chat accepts.");
  await chat.page.goto(`/r/${room}?__path=/api/upload&__err=<b>anything</b>`);
  await expect(chat.error).toHaveText("The file could not be uploaded. Please try again.");
  await context.close();
  await watching.close();
});
