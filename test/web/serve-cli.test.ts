import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { temporaryDirectory } from "../data/helpers.js";

const bin = fileURLToPath(new URL("../../bin/pemn.js", import.meta.url));
const INDEX = "<!doctype html><title>a built page</title>";
const MODEL = new Uint8Array([0x50, 0x45, 0x4d, 0x4e, 1, 2, 3]);

let site: ReturnType<typeof temporaryDirectory>;
before(() => {
  site = temporaryDirectory();
  writeFileSync(join(site.dir, "index.html"), INDEX);
  mkdirSync(join(site.dir, "models"));
  writeFileSync(join(site.dir, "models/a.pemn"), MODEL);
});
after(() => site.remove());

/** Starts `pemn serve ...args` and resolves with the process and the URL it prints. */
function serve(...args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, "serve", ...args], { stdio: "pipe" });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const url = /at (http:\/\/\S+) /.exec(output)?.[1];
      if (url !== undefined) resolve({ child, url });
    });
    child.once("exit", (code) => reject(new Error(`pemn serve exited with ${code}: ${output}`)));
  });
}

test("pemn serve serves a directory's files on loopback, any free port with --port 0", async () => {
  const { child, url } = await serve(site.dir, "--port", "0");
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.equal(await page.text(), INDEX);
    const model = await fetch(new URL("models/a.pemn", url));
    assert.deepEqual(new Uint8Array(await model.arrayBuffer()), MODEL);
    assert.equal((await fetch(new URL("missing.js", url))).status, 404);
  } finally {
    child.kill();
  }
});

test("pemn serve refuses a directory without a built page, a missing path, two models, a file that is not a .pemn, and a bad port", async () => {
  const outcome = (...args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, "serve", ...args],
        { encoding: "utf8" },
        (error, _, stderr) => resolve({ code: Number(error?.code ?? 0), stderr }),
      );
    });
  const empty = join(site.dir, "models");
  const noPage = await outcome(empty, "--port", "0");
  assert.equal(noPage.code, 1);
  assert.match(
    noPage.stderr,
    new RegExp(`${empty}: no index.html there; build the page with npm run build:web`),
  );
  const missing = await outcome(join(site.dir, "nothing.pemn"), "--port", "0");
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nothing\.pemn: no such file or directory/);
  const model = join(site.dir, "models/a.pemn");
  const twoModels = await outcome(model, model, "--port", "0");
  assert.equal(twoModels.code, 1);
  assert.match(twoModels.stderr, /a\.pemn: one model at a time/);
  const notPemn = await outcome(site.dir, join(site.dir, "index.html"), "--port", "0");
  assert.equal(notPemn.code, 1);
  assert.match(notPemn.stderr, /index\.html: bad-magic/);
  const badPort = await outcome(site.dir, "--port", "70000");
  assert.notEqual(badPort.code, 0);
  assert.match(badPort.stderr, /expected a port from 0 to 65535, got "70000"/);
});
