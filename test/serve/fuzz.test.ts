import assert from "node:assert/strict";
import { test } from "node:test";
import { testRandom } from "../helpers/test-random.js";
import {
  DOTFILE,
  httpRequest,
  INDEX,
  type RawResponse,
  rawRequest,
  SECRET,
  servedSite,
} from "./helpers.js";

// Bounded both ways so that it fits a shared 2-core machine; PEMN_SERVE_FUZZ_SEED replays a run.
const REQUESTS = 2000;
const TIME_LIMIT_MS = 20_000;
const CONCURRENCY = 8;
const SEED = Number(process.env.PEMN_SERVE_FUZZ_SEED ?? 15);

const served = servedSite();

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
const digits = (random: Random) =>
  pick(random, [
    "0",
    "1",
    "35",
    "36",
    "9007199254740991",
    "9007199254740993",
    "99999999999999999999",
    "9".repeat(1 + Math.floor(random() * 5000)),
    String(Math.floor(random() * 100)),
    "-1",
    "",
    "1e3",
    "0x10",
    " 5",
  ]);

const METHODS = [
  "GET",
  "GET",
  "GET",
  "GET",
  "GET",
  "GET",
  "HEAD",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "PATCH",
];
const ODD_METHODS = ["get", "G\u0000T", "FOO", "", "A".repeat(300), "GET GET"];
const SEGMENTS = [
  "index.html",
  "sub",
  "page.html",
  "page",
  "..",
  ".",
  "%2e%2e",
  "%2E%2e%2f",
  "..%2f..%2f",
  "%00",
  "index.html%00",
  "%",
  "%zz",
  "%c0%ae%c0%ae",
  ".env",
  "%2eenv",
  "secret.txt",
  "out",
  "pipe.txt",
  "100%25%20%C3%BC.txt",
  "ü",
  "日本語",
  "\u{1F600}",
  "%F0%9F%98%80",
  "%ED%A0%80",
  "",
  "\\",
  "..\\..\\",
  "?q=../..",
  "#frag",
];

// Files that are there, so that most requests reach the Range handling.
const FILES = [
  "/",
  "/index.html",
  "/sub/page",
  "/sub/page.html",
  "/home.html",
  "/100%25%20%C3%BC.txt",
];

function randomPath(random: Random): string {
  const roll = random();
  if (roll < 0.5) return pick(random, FILES) + (random() < 0.1 ? "?x=1" : "");
  if (roll < 0.55) return pick(random, ["*", "http://127.0.0.1/index.html", "index.html", ""]);
  if (roll < 0.6) return `/${"a/".repeat(Math.floor(random() * 3000))}`;
  if (roll < 0.65) return `/${pick(random, SEGMENTS).repeat(1 + Math.floor(random() * 2000))}`;
  const count = 1 + Math.floor(random() * 5);
  return `/${Array.from({ length: count }, () => pick(random, SEGMENTS)).join("/")}`;
}

function randomRange(random: Random): string {
  const roll = random();
  if (roll < 0.3) return `bytes=${digits(random)}-${digits(random)}`;
  if (roll < 0.45) return `bytes=-${digits(random)}`;
  if (roll < 0.6) {
    const count = 2 + Math.floor(random() * 50);
    const specs = Array.from({ length: count }, () => `${digits(random)}-${digits(random)}`);
    return `bytes=${specs.join(",")}`;
  }
  if (roll < 0.75)
    return pick(random, ["bytes=", "bytes", "=", "items=0-1", "bytes=--", "BYTES=1-2"]);
  const length = Math.floor(random() * 200);
  return Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join("");
}

function randomHeaders(random: Random): string[] {
  const headers: string[] = [];
  const ranges = random() < 0.7 ? 1 + Math.floor(random() * (random() < 0.2 ? 4 : 1)) : 0;
  for (let i = 0; i < ranges; i++) headers.push(`Range: ${randomRange(random)}`);
  if (random() < 0.1) headers.push(`If-Range: ${pick(random, ['W/"x"', "garbage", ""])}`);
  if (random() < 0.1) headers.push(`If-None-Match: ${pick(random, ["*", 'W/"36-0"', ""])}`);
  if (random() < 0.1) headers.push(`Accept-Encoding: ${pick(random, ["gzip, br", "*", "x"])}`);
  // Up to 20,000 characters: past Node's 16 KiB header limit, which answers 431 itself.
  if (random() < 0.1) headers.push(`X-Long: ${"v".repeat(Math.floor(random() * 20_000))}`);
  if (random() < 0.05) headers.push(`${"X".repeat(1 + Math.floor(random() * 100))}: \u0001\u007f`);
  return headers;
}

function randomRequest(random: Random): Buffer {
  const method = random() < 0.95 ? pick(random, METHODS) : pick(random, ODD_METHODS);
  const request = httpRequest(method, randomPath(random), randomHeaders(random));
  if (random() < 0.03) return Buffer.from(request.replace("HTTP/1.1", "HTTP/9.9"));
  return Buffer.from(request, "utf8");
}

/** What a response may never hold, and what a 206 must agree with. */
function checkResponse(response: RawResponse, what: string): void {
  assert.ok(response.status >= 100 && response.status <= 599, what);
  assert.notEqual(response.status, 500, `${what}: a 500 (${served.logged.join("; ")})`);
  const body = response.body.toString();
  assert.ok(!body.includes(SECRET) && !body.includes(DOTFILE), `${what}: leaked ${body}`);
  if (response.status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get("content-range") ?? "");
    assert.ok(range, `${what}: 206 without a byte Content-Range`);
    const [start, end] = [Number(range[1]), Number(range[2])];
    assert.ok(start <= end && end < Number(range[3]), `${what}: ${range[0]}`);
    if (response.body.length > 0) assert.equal(response.body.length, end - start + 1, what);
  }
}

test(`the server answers ${REQUESTS} random requests (or ${TIME_LIMIT_MS / 1000} s of them, seed ${SEED}) and still serves index.html`, async (t) => {
  const random = testRandom(SEED);
  // Drawn up front, so the run is the same whatever order the answers come in.
  const requests = Array.from({ length: REQUESTS }, () => randomRequest(random));
  const statuses = new Map<number, number>();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < requests.length && performance.now() - started < TIME_LIMIT_MS) {
      const index = next++;
      const request = requests[index] as Buffer;
      const what = `request ${index} (seed ${SEED}): ${JSON.stringify(request.toString().slice(0, 300))}`;
      const response = await rawRequest(served.port, request).catch((error: Error) => {
        throw new Error(`${what}: ${error.message}`);
      });
      checkResponse(response, what);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const answered = [...statuses.values()].reduce((sum, n) => sum + n, 0);
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(
    `${answered} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
  );
  assert.ok(answered >= Math.min(REQUESTS, 200), `only ${answered} requests answered`);
  assert.deepEqual(served.logged, []);
  const index = await rawRequest(served.port, httpRequest("GET", "/index.html"));
  assert.equal(index.status, 200);
  assert.equal(index.body.toString(), INDEX);
});
