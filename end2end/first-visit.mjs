// What a first visit to a room transfers, as a browser accepting brotli gets it:
//   cd end2end && node first-visit.mjs http://127.0.0.1:3000
import { request } from "node:http";

const base = process.argv[2] ?? "http://127.0.0.1:3000";

/** Bytes on the wire (the body as sent, compressed or not) and the encoding. */
function get(path) {
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

const page = await get("/r/lobby");
const html = page.body.toString();
const assets = [...new Set(html.match(/\/pkg\/[\w.-]+\.(css|js|wasm)/g) ?? [])];
// The JS loader fetches the wasm; the page names only the JS and CSS (and preloads the wasm).
const rows = [["/r/lobby (HTML)", page]];
for (const asset of assets) rows.push([asset, await get(asset)]);
let total = 0;
for (const [name, { bytes, encoding }] of rows) {
  total += bytes;
  console.log(`${name.padEnd(48)} ${String(bytes).padStart(9)} B  ${encoding}`);
}
console.log(`${"total".padEnd(48)} ${String(total).padStart(9)} B`);
