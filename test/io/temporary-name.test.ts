import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { removeStaleTemporaries, writeFileAtomic } from "../../src/io/atomic-write.js";
import { temporaryDirectory } from "../data/helpers.js";

const writeChild = fileURLToPath(new URL("./fixtures/write-child.ts", import.meta.url));

/** Names up to NAME_MAX (255 bytes), ASCII and multi-byte: a file system takes them all. */
const LONG_NAMES = ["a".repeat(245), "b".repeat(255), `${"é".repeat(120)}.ckpt`, "€".repeat(85)];

test("a file whose name fits (up to 255 bytes) is written: its temporary name fits too", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    for (const name of LONG_NAMES) {
      assert.ok(Buffer.byteLength(name) <= 255);
      const path = join(dir, name);
      writeFileAtomic(path, [Buffer.from("first")]);
      writeFileAtomic(path, [Buffer.from("second")]); // over an existing file as well
      assert.equal(readFileSync(path, "utf8"), "second");
    }
    assert.deepEqual(readdirSync(dir).sort(), [...LONG_NAMES].sort());
  } finally {
    remove();
  }
});

test("the temporary file of a write killed before its rename is removed, and only it", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const keep = ["notes.txt", ".hidden", "x.tmp", ".x.tmp"];
    for (const name of keep) writeFileSync(join(dir, name), "mine");
    for (const name of [...LONG_NAMES, "state.json"]) {
      const killed = spawnSync(
        process.execPath,
        ["--import", "tsx", writeChild, "write", join(dir, name), "10"],
        { encoding: "utf8", env: { ...process.env, PEMN_FAULT_AT: `rename:${name}:1` } },
      );
      assert.equal(killed.signal, "SIGKILL", killed.stderr);
    }
    const left = readdirSync(dir).filter((name) => !keep.includes(name));
    assert.equal(left.length, LONG_NAMES.length + 1, "one temporary file per killed write");
    assert.deepEqual(removeStaleTemporaries(dir).sort(), left.sort());
    assert.deepEqual(readdirSync(dir).sort(), keep.sort());
  } finally {
    remove();
  }
});
