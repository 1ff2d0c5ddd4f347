import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { temporaryDirectory } from "../data/helpers.js";
import { runPemnMeasured } from "./run-pemn-measured.js";

/** A refused input must cost no more than an idle CLI (about 160 MB), far from the GBs seen. */
const IDLE_CLI_BOUND = 400 * 2 ** 20;

// Each of these grew past 2-3 GB within seconds reading /dev/zero to its end.
for (const args of [
  ["inspect", "/dev/zero"],
  ["eval", "/dev/zero"],
  ["train", "--config", "/dev/zero"],
  ["sweep", "/dev/zero"],
]) {
  test(`pemn ${args.join(" ")} refuses the device at once`, () => {
    const result = runPemnMeasured(args);
    assert.equal(result.timedOut, false);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /\/dev\/zero: is not a regular file \(a character device\)/);
    assert.ok(result.maxRssBytes < IDLE_CLI_BOUND, `max RSS ${result.maxRssBytes}`);
  });
}

test("pemn inspect of a FIFO refuses it instead of hanging for a writer", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const fifo = join(dir, "model.pemn");
    execFileSync("mkfifo", [fifo]);
    const result = runPemnMeasured(["inspect", fifo]);
    assert.equal(result.timedOut, false, "inspect hung on the FIFO");
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`${fifo}: is not a regular file \\(a FIFO\\)`));
  } finally {
    remove();
  }
});

test("a directory given as a file is named in the error (EISDIR named none)", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    for (const args of [
      ["inspect", dir],
      ["train", "--config", dir],
    ]) {
      const result = runPemnMeasured(args);
      assert.equal(result.status, 1);
      assert.match(result.stderr, new RegExp(`${dir}: is a directory, not a file`));
    }
  } finally {
    remove();
  }
});
