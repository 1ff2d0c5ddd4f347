import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { temporaryDirectory } from "../data/helpers.js";

const child = fileURLToPath(new URL("./fixtures/write-child.ts", import.meta.url));

/** Runs the write child in a private mount namespace with a 16 KiB tmpfs at `mount`. */
function inSmallFileSystem(
  mount: string,
  steps: string[][],
): { message: string; code: string }[] | null {
  const node = (args: string[]) =>
    [process.execPath, "--import", "tsx", child, ...args].map((arg) => `'${arg}'`).join(" ");
  const script = [
    `mount -t tmpfs -o size=16k tmpfs '${mount}'`,
    ...steps.map((step) =>
      step[0] === "remount-ro" ? `mount -o remount,ro '${mount}'` : node(step),
    ),
  ].join(" && ");
  const result = spawnSync("unshare", ["-m", "sh", "-c", script], { encoding: "utf8" });
  if (result.status !== 0) return null; // no permission for a mount namespace here
  return result.stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
}

test("a full or read-only file system is reported as such, naming the file", (t) => {
  const { dir, remove } = temporaryDirectory();
  try {
    const results = inSmallFileSystem(dir, [
      ["write", join(dir, "epoch-1.ckpt"), String(1 << 16)],
      ["remount-ro"],
      ["write", join(dir, "model.onnx"), "10"],
      ["mkdir", join(dir, "runs", "a")],
    ]);
    if (results === null) {
      t.skip("unshare -m is not permitted here");
      return;
    }
    const [full, readOnly, directory] = results as [
      { message: string; code: string },
      { message: string; code: string },
      { message: string; code: string },
    ];
    assert.equal(full.code, "ENOSPC");
    assert.equal(
      full.message,
      `${join(dir, "epoch-1.ckpt")}: cannot write (ENOSPC: no space left on the device)`,
    );
    assert.equal(readOnly.code, "EROFS");
    assert.equal(
      readOnly.message,
      `${join(dir, "model.onnx")}: cannot write (EROFS: the file system is read-only)`,
    );
    // Node's recursive mkdir alone would say ENOENT here.
    assert.equal(directory.code, "EROFS");
    assert.equal(
      directory.message,
      `${join(dir, "runs", "a")}: cannot create the directory (EROFS: the file system is read-only)`,
    );
  } finally {
    remove();
  }
});
