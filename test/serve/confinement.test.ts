import assert from "node:assert/strict";
import { test } from "node:test";
import { httpRequest, INDEX, PAGE, rawRequest, servedSite } from "./helpers.js";

const served = servedSite();

const request = (method: string, path: string) =>
  rawRequest(served.port, httpRequest(method, path));

test("the root's files are served: index.html for /, a subfolder's file, a link inside the root", async () => {
  for (const [path, body] of [
    ["/", INDEX],
    ["/index.html", INDEX],
    ["/index.html?v=1#top", INDEX],
    ["/sub/page.html", PAGE],
    ["/sub/page", PAGE],
    ["/%73ub/page.html", PAGE],
    ["/home.html", INDEX],
    ["/100%25%20%C3%BC.txt", PAGE],
  ] as const) {
    const response = await request("GET", path);
    assert.equal(response.status, 200, path);
    assert.equal(response.body.toString(), body, path);
  }
  const head = await request("HEAD", "/index.html");
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(Buffer.byteLength(INDEX)));
  assert.equal(head.body.length, 0);
});

test("a link inside the root to a file or folder outside it is not followed (404)", async () => {
  for (const path of ["/secret.txt", "/out/secret.txt", "/out/", "/out"]) {
    const response = await request("GET", path);
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(response.body.toString(), /outside the root/, path);
  }
});

test("dotfiles are not served (404), under any spelling", async () => {
  for (const path of ["/.env", "/%2eenv", "/sub/../.env", "/./.env"]) {
    const response = await request("GET", path);
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(response.body.toString(), /a dotfile/, path);
  }
});

test("paths that leave the root, encode a slash or a NUL, or are not absolute are refused", async () => {
  for (const path of [
    "/../outside/secret.txt",
    "/%2e%2e/outside/secret.txt",
    "/sub/..%2f..%2foutside/secret.txt",
    "/index.html%00",
    "/%E0%A4%A",
    "*",
    "http://127.0.0.1/index.html",
  ]) {
    const response = await request("GET", path);
    assert.ok([400, 404].includes(response.status), `${path}: ${response.status}`);
    assert.doesNotMatch(response.body.toString(), /outside the root/, path);
  }
});

test("what is not a regular file (a FIFO, a folder) is 404, without blocking the server", async () => {
  assert.equal((await request("GET", "/pipe.txt")).status, 404);
  assert.equal((await request("GET", "/sub/")).status, 404);
  assert.equal((await request("GET", "/index.html")).status, 200);
});

test("methods other than GET and HEAD are answered 405 with Allow", async () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]) {
    const response = await request(method, "/index.html");
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "GET, HEAD", method);
    assert.doesNotMatch(response.body.toString(), /served/, method);
  }
});
