import assert from "node:assert/strict";
import { test } from "node:test";
import { httpRequest, INDEX, rawRequest, servedSite } from "./helpers.js";

const served = servedSite();

const SIZE = Buffer.byteLength(INDEX);

function get(range: string, method = "GET", extra: string[] = []) {
  return rawRequest(served.port, httpRequest(method, "/index.html", [`Range: ${range}`, ...extra]));
}

/** A 206 for bytes start..end (inclusive) of index.html, as RFC 9110 §14.4 words it. */
async function assertPartial(range: string, start: number, end: number) {
  const response = await get(range);
  assert.equal(response.status, 206, range);
  assert.equal(response.headers.get("content-range"), `bytes ${start}-${end}/${SIZE}`, range);
  assert.equal(response.body.toString(), INDEX.slice(start, end + 1), range);
}

/** The whole file with a 200: a Range the server ignores, as it may (RFC 9110 §14.2). */
async function assertIgnored(range: string, method = "GET", extra: string[] = []) {
  const response = await get(range, method, extra);
  assert.equal(response.status, 200, range);
  assert.equal(response.headers.get("content-range"), undefined, range);
  if (method === "GET") assert.equal(response.body.toString(), INDEX, range);
}

test("a last position or suffix past 2^53 is clamped to the file, not a crash (sirv threw ERR_OUT_OF_RANGE)", async () => {
  await assertPartial("bytes=0-99999999999999999999", 0, SIZE - 1);
  await assertPartial("bytes=-9007199254740993", 0, SIZE - 1);
  await assertPartial(`bytes=0-${"9".repeat(4000)}`, 0, SIZE - 1);
  assert.equal((await rawRequest(served.port, httpRequest("GET", "/index.html"))).status, 200);
});

test("a range whose last position is before its first is ignored, not a crash (sirv threw)", async () => {
  await assertIgnored("bytes=5-2");
  assert.equal((await rawRequest(served.port, httpRequest("GET", "/index.html"))).status, 200);
});

test("a satisfiable single range is served as asked; a suffix range means the last bytes", async () => {
  await assertPartial("bytes=2-4", 2, 4);
  await assertPartial("bytes=3-", 3, SIZE - 1);
  await assertPartial(`bytes=${SIZE - 1}-${SIZE - 1}`, SIZE - 1, SIZE - 1);
  // sirv read "-5" as "0-5".
  await assertPartial("bytes=-5", SIZE - 5, SIZE - 1);
  // Empty list elements are allowed (RFC 9110 §5.6.1): still one range.
  await assertPartial("bytes=2-4,", 2, 4);
  await assertPartial("bytes=, 2-4 ,", 2, 4);
});

test("a range starting at or past the end, or an empty suffix, is answered 416 with the size", async () => {
  for (const range of [`bytes=${SIZE}-`, "bytes=99999999999999999999-", "bytes=-0"]) {
    const response = await get(range);
    assert.equal(response.status, 416, range);
    assert.equal(response.headers.get("content-range"), `bytes */${SIZE}`, range);
  }
});

test("malformed, multiple, non-byte and HEAD or If-Range ranges are ignored (whole file, 200)", async () => {
  for (const range of [
    "bytes=abc",
    "bytes=",
    "bytes=-",
    "bytes=--5",
    "bytes=0-1-2",
    "bytes=1.5-3",
    "bytes=+1-3",
    "bytes=0x1-3",
    "items=0-1",
    "bytes 0-1",
    "bytes=0-1,3-4",
    "bytes = 2-4",
    "bytes=2 - 4",
    `bytes=${"0-1,".repeat(1000)}0-1`,
  ]) {
    await assertIgnored(range);
  }
  // sirv answered 0-0 with a 206 of the whole file (an end of 0 reads as none); a 200 is honest.
  await assertIgnored("bytes=0-0");
  await assertIgnored("bytes=2-4", "HEAD");
  await assertIgnored("bytes=2-4", "GET", ['If-Range: W/"stale"']);
});

test("two Range headers are answered without a crash", async () => {
  const response = await get("bytes=0-1", "GET", ["Range: bytes=-99999999999999999999"]);
  assert.ok([200, 206, 400, 416].includes(response.status), String(response.status));
  assert.equal((await rawRequest(served.port, httpRequest("GET", "/index.html"))).status, 200);
});
