import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { temporaryDirectory } from "./helpers.js";

// The FIFO is opened non-blocking (read-input-file.test.ts checks that in a child with a deadline).
test("a FIFO in place of a dataset file is refused by name, not waited on", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const fifo = join(dir, "test_batch.bin");
    execFileSync("mkfifo", [fifo]);
    assert.throws(() => loadDataset({ name: "cifar10", dir }, "test"), {
      name: "DatasetError",
      message: new RegExp(`${fifo}.*is not a regular file \\(a FIFO\\)`),
    });
  } finally {
    remove();
  }
});
