// What a first visit to a room transfers, as a browser accepting brotli gets it:
//   cd end2end && node first-visit.mjs http://127.0.0.1:3000
// The budget test (tests/budget.spec.ts) measures the same way, with `firstVisit`.
import { request } from "node:http";
import { fileURLToPath } from "node:url";

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

/**
 * The room page and every asset it names (CSS, the JS loader, the wasm), each with its
 * bytes on the wire, and their total.
 */
export async function firstVisit(base) {
  const page = await get(base, "/r/lobby");
  const html = page.body.toString();
  const assets = [...new Set(html.match(/\/pkg\/[\w.-]+\.(css|js|wasm)/g) ?? [])];
  // The JS loader fetches the wasm; the page names only the JS and CSS (and preloads the wasm).
  const rows = [{ name: "/r/lobby (HTML)", bytes: page.bytes, encoding: page.encoding }];
  for (const asset of assets) {
    const { bytes, encoding } = await get(base, asset);
    rows.push({ name: asset, bytes, encoding });
  }
  return { rows, total: rows.reduce((sum, row) => sum + row.bytes, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { rows, total } = await firstVisit(process.argv[2] ?? "http://127.0.0.1:3000");
  for (const { name, bytes, encoding } of rows) {
    console.log(`${name.padEnd(48)} ${String(bytes).padStart(9)} B  ${encoding}`);
  }
  console.log(`${"total".padEnd(48)} ${String(total).padStart(9)} B`);
}
