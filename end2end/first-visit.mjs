// What a first visit to a room transfers, as a browser accepting brotli gets it:
//   cd end2end && node first-visit.mjs http://127.0.0.1:3000 [/account]
// The budget test (tests/budget.spec.ts) measures the same way, with `firstVisit`.
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync } from "node:zlib";

/** Bytes on the wire (the body as sent, compressed or not) and the encoding. */
function get(base, path) {
  return new Promise((done, failed) => {
    const asked = request(`${base}${path}`, { headers: { "accept-encoding": "br" } }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => {
        const body = Buffer.concat(chunks);
        done({ bytes: body.length, encoding: response.headers["content-encoding"] ?? "none", body });
      });
    });
    asked.on("error", failed);
    asked.end();
  });
}

/** The text of a body as sent, brotli or not. */
function text({ body, encoding }) {
  return (encoding === "br" ? brotliDecompressSync(body) : body).toString();
}

/**
 * The room page, every asset it names (CSS, the JS loader, the wasm and any wasm it
 * preloads) and every module a script imports (the loader of the pages fetched on
 * demand), each with its bytes on the wire, and their total.
 */
export async function firstVisit(base, path = "/r/lobby") {
  const page = await get(base, path);
  const rows = [{ name: `${path} (HTML)`, bytes: page.bytes, encoding: page.encoding }];
  const pending = [...text(page).matchAll(/\/pkg\/[\w.-]+\.(css|js|wasm)/g)].map((m) => m[0]);
  const seen = new Set();
  while (pending.length > 0) {
    const asset = pending.shift();
    if (seen.has(asset)) continue;
    seen.add(asset);
    const response = await get(base, asset);
    rows.push({ name: asset, bytes: response.bytes, encoding: response.encoding });
    if (asset.endsWith(".js")) {
      // `import ... from "./__wasm_split.<hash>.js"`: fetched by the browser too.
      for (const [, module] of text(response).matchAll(/from\s*["']\.\/([\w.-]+\.js)["']/g)) {
        pending.push(`/pkg/${module}`);
      }
    }
  }
  return { rows, total: rows.reduce((sum, row) => sum + row.bytes, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { rows, total } = await firstVisit(process.argv[2] ?? "http://127.0.0.1:3000", process.argv[3]);
  for (const { name, bytes, encoding } of rows) {
    console.log(`${name.padEnd(48)} ${String(bytes).padStart(9)} B  ${encoding}`);
  }
  console.log(`${"total".padEnd(48)} ${String(total).padStart(9)} B`);
}
