import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { DownloadError } from "../../../src/data/download/download-error.js";
import { downloadToFile } from "../../../src/data/download/http-download.js";
import { temporaryDirectory } from "../helpers.js";
import { type LocalServer, md5, patternBytes, startServer } from "./helpers.js";

const temp = temporaryDirectory();
const servers: LocalServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  temp.remove();
});

async function server(routes: Parameters<typeof startServer>[0]): Promise<LocalServer> {
  const started = await startServer(routes);
  servers.push(started);
  return started;
}

let fileCount = 0;
function partFile(): string {
  return join(temp.dir, `download-${fileCount++}.part`);
}

const FAST = { stallTimeoutMs: 2000 };

async function assertDownloadError(
  promise: Promise<unknown>,
  code: DownloadError["code"],
  pattern: RegExp,
): Promise<DownloadError> {
  let caught: unknown;
  await promise.catch((error: unknown) => {
    caught = error;
  });
  assert.ok(caught instanceof DownloadError, `expected a DownloadError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

test("a whole file arrives byte for byte, with progress for every byte", async () => {
  const data = patternBytes(300_000);
  const local = await server({ "/f.bin": { kind: "bytes", data } });
  const part = partFile();
  const starts: { from: number; total: number | null }[] = [];
  let counted = 0;
  const result = await downloadToFile(`${local.origin}/f.bin`, part, {
    ...FAST,
    expectedBytes: data.length,
    onStart: ({ from, total }) => starts.push({ from, total }),
    onData: (bytes) => {
      counted += bytes;
    },
  });
  assert.deepEqual(result, { bytes: data.length, resumed: false });
  assert.equal(md5(readFileSync(part)), md5(data));
  assert.deepEqual(starts, [{ from: 0, total: data.length }]);
  assert.equal(counted, data.length);
});

test("redirects are followed, relative ones too, but not past the bound", async () => {
  const data = patternBytes(1000, 7);
  const local = await server({
    "/a": { kind: "redirect", to: "/b", status: 301 },
    "/b": { kind: "redirect", to: "c", status: 307 },
    "/c": { kind: "bytes", data },
    "/loop": { kind: "redirect", to: "/loop" },
    "/ftp": { kind: "redirect", to: "ftp://127.0.0.1/x" },
  });
  const part = partFile();
  await downloadToFile(`${local.origin}/a`, part, FAST);
  assert.equal(md5(readFileSync(part)), md5(data));
  await assertDownloadError(
    downloadToFile(`${local.origin}/loop`, partFile(), { ...FAST, maxRedirects: 3 }),
    "redirect",
    /\/loop: more than 3 redirects/,
  );
  await assertDownloadError(
    downloadToFile(`${local.origin}/ftp`, partFile(), FAST),
    "redirect",
    /redirected to ftp:\/\/127\.0\.0\.1\/x, not http\(s\)/,
  );
});

test("an error status names the URL and the status", async () => {
  const local = await server({ "/gone": { kind: "status", status: 503 } });
  await assertDownloadError(
    downloadToFile(`${local.origin}/missing`, partFile(), FAST),
    "http-status",
    new RegExp(`^${local.origin}/missing: HTTP 404 Not Found$`),
  );
  await assertDownloadError(
    downloadToFile(`${local.origin}/gone`, partFile(), FAST),
    "http-status",
    /HTTP 503/,
  );
});

test("a server that answers nothing, or stops mid-body, times out naming the URL", async () => {
  const data = patternBytes(50_000);
  const local = await server({
    "/silent": { kind: "stall", data, after: null },
    "/half": { kind: "stall", data, after: 20_000 },
  });
  const started = Date.now();
  await assertDownloadError(
    downloadToFile(`${local.origin}/silent`, partFile(), { stallTimeoutMs: 300 }),
    "stalled",
    new RegExp(`^${local.origin}/silent: no data for 0\\.3 s \\(PEMN_DATA_STALL_TIMEOUT`),
  );
  assert.ok(Date.now() - started < 5000, "the timeout did not stop the wait");
  const part = partFile();
  await assertDownloadError(
    downloadToFile(`${local.origin}/half`, part, { stallTimeoutMs: 300 }),
    "stalled",
    /\/half: no data for 0\.3 s/,
  );
  // What arrived is kept, for the next attempt to resume from.
  assert.equal(md5(readFileSync(part)), md5(data.subarray(0, 20_000)));
});

test("a connection cut half-way keeps the bytes, and the next attempt resumes with a Range", async () => {
  const data = patternBytes(200_000, 3);
  const local = await server({ "/f": { kind: "cut", data, after: 80_000 } });
  const url = `${local.origin}/f`;
  const part = partFile();
  await assertDownloadError(
    downloadToFile(url, part, { ...FAST, expectedBytes: data.length }),
    "network",
    new RegExp(`^${url}: the connection closed early`),
  );
  const kept = readFileSync(part);
  assert.ok(kept.length > 0 && kept.length < data.length, `kept ${kept.length} bytes`);
  assert.equal(md5(kept), md5(data.subarray(0, kept.length)));
  local.route("/f", { kind: "bytes", data });
  const starts: number[] = [];
  const result = await downloadToFile(url, part, {
    ...FAST,
    expectedBytes: data.length,
    onStart: ({ from }) => starts.push(from),
  });
  assert.deepEqual(result, { bytes: data.length, resumed: true });
  assert.deepEqual(starts, [kept.length]);
  assert.equal(local.requests.at(-1)?.range, `bytes=${kept.length}-`);
  assert.equal(md5(readFileSync(part)), md5(data));
});

test("a server that ignores the Range sends everything again: the part starts over", async () => {
  const data = patternBytes(10_000, 5);
  const local = await server({ "/f": { kind: "bytes", data, ignoreRange: true } });
  const part = partFile();
  writeFileSync(part, patternBytes(4000, 99)); // bytes of something else
  const result = await downloadToFile(`${local.origin}/f`, part, FAST);
  assert.deepEqual(result, { bytes: data.length, resumed: false });
  assert.equal(md5(readFileSync(part)), md5(data));
});

test("a part already whole is not fetched again (416, or the published size)", async () => {
  const data = patternBytes(5000, 11);
  const local = await server({ "/f": { kind: "bytes", data } });
  const part = partFile();
  writeFileSync(part, data);
  const result = await downloadToFile(`${local.origin}/f`, part, FAST);
  assert.deepEqual(result, { bytes: data.length, resumed: true });
  assert.equal(local.requests.at(-1)?.range, `bytes=${data.length}-`); // answered 416
  const before = local.requests.length;
  await downloadToFile(`${local.origin}/f`, part, { ...FAST, expectedBytes: data.length });
  assert.equal(local.requests.length, before, "asked again for a file already whole");
  assert.equal(md5(readFileSync(part)), md5(data));
});

test("more bytes than published are refused, announced or sent", async () => {
  const data = patternBytes(3000);
  const local = await server({ "/f": { kind: "bytes", data } });
  await assertDownloadError(
    downloadToFile(`${local.origin}/f`, partFile(), { ...FAST, expectedBytes: 2000 }),
    "size-mismatch",
    /announces 3000 bytes, but the file is published with 2000/,
  );
});

test("nothing listening: a network error naming the URL", async () => {
  const local = await startServer();
  const origin = local.origin;
  await local.close();
  const part = partFile();
  await assertDownloadError(
    downloadToFile(`${origin}/f`, part, FAST),
    "network",
    new RegExp(`^${origin}/f: ECONNREFUSED`),
  );
  assert.equal(existsSync(part), false);
});
