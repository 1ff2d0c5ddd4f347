import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type StaticServer, startStaticServer } from "../../src/serve/static-server.js";
import { httpRequest, INDEX, rawRequest, SECRET, temporarySite } from "./helpers.js";

// `pemn serve model.pemn`: a file outside the root, served at one fixed path.
const MODEL = Buffer.from("a model, outside the root");

let site: ReturnType<typeof temporarySite>;
let server: StaticServer;
let port: number;
let model: string;
const logged: string[] = [];

before(async () => {
  site = temporarySite();
  model = join(site.outside, "my model.pemn");
  writeFileSync(model, MODEL);
  server = await startStaticServer(site.root, {
    port: 0,
    host: "127.0.0.1",
    log: (message) => logged.push(message),
    namedFiles: new Map([["/model.pemn", model]]),
  });
  port = Number(new URL(server.url).port);
});
after(async () => {
  await server.close();
  site.remove();
});

const request = (method: string, path: string) => rawRequest(port, httpRequest(method, path));

test("the named file is served at its path, read at each request, never cached", async () => {
  const response = await request("GET", "/model.pemn");
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, MODEL);
  assert.equal(response.headers.get("content-type"), "application/octet-stream");
  assert.equal(response.headers.get("cache-control"), "no-store");
  const withQuery = await request("GET", "/model.pemn?t=1");
  assert.deepEqual(withQuery.body, MODEL);
  const head = await request("HEAD", "/model.pemn");
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(MODEL.length));
  assert.equal(head.body.length, 0);

  // Packed again: the next request has the new bytes.
  const packedAgain = Buffer.from("the same model, trained further");
  writeFileSync(`${model}.new`, packedAgain);
  renameSync(`${model}.new`, model);
  assert.deepEqual((await request("GET", "/model.pemn")).body, packedAgain);
  writeFileSync(model, MODEL);
});

test("only that exact path names it: the root stays as confined as before", async () => {
  assert.equal((await request("GET", "/")).body.toString(), INDEX);
  for (const path of [
    "/model.pemn/",
    "/%6Dodel.pemn",
    "/sub/../model.pemn",
    "/Model.pemn",
    "/my%20model.pemn",
    "/../outside/my%20model.pemn",
    "/secret.txt",
    "/../outside/secret.txt",
  ]) {
    const response = await request("GET", path);
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(response.body.toString(), new RegExp(`${SECRET}|a model`), path);
  }
  assert.equal((await request("POST", "/model.pemn")).status, 405);
});

test("a named file that is gone, or has become a FIFO, a folder or a link to one, is 404; the server goes on", async () => {
  const cases: [string, () => void][] = [
    ["removed", () => {}],
    ["a FIFO", () => execFileSync("mkfifo", [model])],
    ["a folder", () => execFileSync("mkdir", [model])],
    ["a link to a folder", () => symlinkSync(site.root, model)],
  ];
  for (const [what, change] of cases) {
    rmSync(model, { recursive: true, force: true }); // the link, not the folder it names
    change();
    const response = await request("GET", "/model.pemn");
    assert.equal(response.status, 404, what);
    assert.equal((await request("GET", "/index.html")).status, 200, what);
  }
  assert.ok(logged.some((line) => line.includes("my model.pemn")));
  // A link to a regular file is what the user named: followed.
  rmSync(model, { recursive: true, force: true });
  symlinkSync(join(site.outside, "secret.txt"), model);
  assert.equal((await request("GET", "/model.pemn")).body.toString(), SECRET);
});
