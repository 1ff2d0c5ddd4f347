import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { writeFileAtomic } from "../../src/io/atomic-write.js";
import { temporaryDirectory } from "../data/helpers.js";

test("replaces a file whole and leaves no temporary file", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const path = join(dir, "out.bin");
    writeFileSync(path, "old");
    writeFileAtomic(path, [Buffer.from("new "), Buffer.from("contents")]);
    assert.equal(readFileSync(path, "utf8"), "new contents");
    assert.deepEqual(readdirSync(dir), ["out.bin"]);
  } finally {
    remove();
  }
});

test("a failed rename keeps the old state and removes its temporary file", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const path = join(dir, "taken");
    mkdirSync(join(path, "child"), { recursive: true }); // a non-empty directory cannot be replaced
    assert.throws(() => writeFileAtomic(path, [Buffer.from("x")]));
    assert.deepEqual(readdirSync(dir), ["taken"]);
    assert.throws(() => writeFileAtomic(join(dir, "missing", "f"), [Buffer.from("x")]), /ENOENT/);
  } finally {
    remove();
  }
});
