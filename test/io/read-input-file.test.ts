import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { InputFileError, readInputFile, readInputText } from "../../src/io/read-input-file.js";
import { temporaryDirectory } from "../data/helpers.js";

test("a regular file is read whole", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const file = join(dir, "a.json");
    writeFileSync(file, "x".repeat(200_000));
    assert.equal(readInputText(file, "config").length, 200_000);
  } finally {
    remove();
  }
});

test("a missing file, a directory and a file over the cap are refused, naming the file", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const missing = join(dir, "missing.yaml");
    assert.throws(
      () => readInputFile(missing, "config"),
      (error: unknown) =>
        error instanceof InputFileError &&
        error.code === "ENOENT" &&
        error.message === `${missing}: no such file`,
    );
    const directory = join(dir, "sub");
    mkdirSync(directory);
    assert.throws(() => readInputFile(directory, "config"), {
      name: "InputFileError",
      message: `${directory}: is a directory, not a file`,
    });
    const big = join(dir, "big.json");
    writeFileSync(big, Buffer.alloc(1001));
    assert.throws(() => readInputFile(big, 1000), {
      name: "InputFileError",
      message: new RegExp(`^${big}: is too large: 1001 bytes, over the 1000 bytes`),
    });
  } finally {
    remove();
  }
});

test("/dev/zero is refused at once instead of read until memory runs out", () => {
  const started = performance.now();
  assert.throws(() => readInputFile("/dev/zero", "results"), {
    name: "InputFileError",
    message: "/dev/zero: is not a regular file (a character device); only regular files are read",
  });
  assert.ok(performance.now() - started < 1000);
});

test("a FIFO without a writer is refused instead of waited on", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const fifo = join(dir, "model.pemn");
    execFileSync("mkfifo", [fifo]);
    // In a child with a deadline: a blocking open would hang this process for good.
    const script = `import { readInputFile } from ${JSON.stringify(new URL("../../src/io/read-input-file.ts", import.meta.url).href)};
try { readInputFile(${JSON.stringify(fifo)}, "config"); } catch (error) { process.stdout.write(error.message); }`;
    const output = execFileSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        encoding: "utf8",
        timeout: 8000,
      },
    );
    assert.equal(output, `${fifo}: is not a regular file (a FIFO); only regular files are read`);
  } finally {
    remove();
  }
});
