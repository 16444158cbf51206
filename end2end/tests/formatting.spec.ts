import { expect, test, type Page } from "@playwright/test";
import { type ChatPage, withReader } from "./fixtures/chat_page";

/** Types `lines` into the composer as a person does: Shift+Enter between lines. */
async function typeLines(page: Page, chat: ChatPage, lines: string[]) {
  await chat.body.click();
  for (const [n, line] of lines.entries()) {
    if (n > 0) await page.keyboard.press("Shift+Enter");
    await page.keyboard.insertText(line);
  }
}

test("formatting shows live and after a reload, a code block keeps its indentation, HTML stays text", async ({
  page,
  browser,
}) => {
  const { chat, other, reader } = await withReader(page, browser, "format");
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  const code = ["fn main() {", "    let  spaced = 1;", "\tif spaced > 0 {}", "}"];
  await typeLines(page, chat, [
    "**bold** *it* ~~old~~ `x<y` <b>not html</b> [bad](javascript:alert(1))",
    "```rust",
    ...code,
    "```",
    "> a quote",
    "- one",
    "- two",
  ]);
  // Shift+Enter made new lines: nothing was sent yet.
  await expect(chat.messages.locator("li.message")).toHaveCount(0);
  await page.keyboard.press("Enter");

  for (const view of [chat, reader]) {
    const body = view.message("not html").locator(".message-body");
    await expect(body.locator("strong")).toHaveText("bold");
    await expect(body.locator("em")).toHaveText("it");
    await expect(body.locator("del")).toHaveText("old");
    await expect(body.locator("p code")).toHaveText("x<y");
    await expect(body.locator("pre code.language-rust")).toHaveText(code.join("\n"));
    await expect(body.locator("blockquote")).toHaveText("a quote");
    await expect(body.locator("ul li")).toHaveText(["one", "two"]);
    // HTML is shown as typed, and a javascript: address is no link.
    await expect(body.locator("b")).toHaveCount(0);
    await expect(body).toContainText("<b>not html</b>");
    await expect(body.getByRole("link")).toHaveCount(0);
  }

  // The server's page renders the same, and hydrates without complaint.
  await reader.page.reload();
  await reader.waitForHydration();
  const body = reader.message("not html").locator(".message-body");
  await expect(body.locator("pre code.language-rust")).toHaveText(code.join("\n"));
  await expect(body.locator("strong")).toHaveText("bold");
  expect(errors).toEqual([]);
  await other.close();
});
