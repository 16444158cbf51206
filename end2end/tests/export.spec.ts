import { expect, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { ChatPage, freshRoom, seed } from "./fixtures/chat_page";

test("a room's history downloads as Markdown and as JSON lines", async ({ page, request }) => {
  const room = freshRoom("export");
  await seed(request, room, ["first words", "second thoughts"]);
  const chat = new ChatPage(page);
  await chat.goto(room);

  const [markdown] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Markdown" }).click(),
  ]);
  expect(markdown.suggestedFilename()).toBe(`${room}.md`);
  const text = await readFile(await markdown.path(), "utf8");
  expect(text).toContain(`# #${room}`);
  expect(text.indexOf("first words")).toBeLessThan(text.indexOf("second thoughts"));

  const [jsonl] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "JSON lines" }).click(),
  ]);
  expect(jsonl.suggestedFilename()).toBe(`${room}.jsonl`);
  const lines = (await readFile(await jsonl.path(), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
  expect(lines.map((m) => m.body)).toEqual(["first words", "second thoughts"]);
});
