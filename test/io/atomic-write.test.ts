import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { OutputFileError, writeFileAtomic } from "../../src/io/atomic-write.js";
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

test("outputs are regular files: devices, FIFOs and dangling links are refused, a symlink is written through", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const refused = (path: string, pattern: RegExp) =>
      assert.throws(
        () => writeFileAtomic(path, [Buffer.from("x")]),
        (error: unknown) =>
          error instanceof OutputFileError && error.file === path && pattern.test(error.message),
        path,
      );
    refused("/dev/null", /^\/dev\/null: is a character device, not a regular file/);
    assert.ok(statSync("/dev/null").isCharacterDevice(), "/dev/null is still the device");
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    refused(fifo, /is a FIFO, not a regular file/);
    refused(dir, /is a directory, not a regular file/);
    const dangling = join(dir, "dangling");
    symlinkSync(join(dir, "nowhere"), dangling);
    refused(dangling, /is a symlink to nothing/);
    const device = join(dir, "to-null");
    symlinkSync("/dev/null", device);
    refused(device, /is a character device/);

    const target = join(dir, "target.bin");
    writeFileSync(target, "old");
    const link = join(dir, "link.bin");
    symlinkSync(target, link);
    writeFileAtomic(link, [Buffer.from("new")]);
    assert.ok(lstatSync(link).isSymbolicLink(), "the link stays a link");
    assert.equal(readFileSync(target, "utf8"), "new", "the file it names is replaced");
  } finally {
    remove();
  }
});

test("a failed write names its file and the system's reason", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const blocker = join(dir, "plain-file");
    writeFileSync(blocker, "");
    for (const [path, pattern] of [
      [
        join(dir, "missing", "out.ckpt"),
        /out\.ckpt: cannot write \(ENOENT: its directory does not exist\)/,
      ],
      [join(blocker, "out.ckpt"), /out\.ckpt: cannot write \(ENOTDIR/],
    ] as const) {
      assert.throws(
        () => writeFileAtomic(path, [Buffer.from("x")]),
        (error: unknown) =>
          error instanceof OutputFileError &&
          error.message.startsWith(`${path}: `) &&
          pattern.test(error.message),
      );
    }
  } finally {
    remove();
  }
});
