import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { DownloadError } from "../../../src/data/download/download-error.js";
import {
  type ArchiveFormat,
  entryPathProblem,
  extractArchive,
} from "../../../src/data/download/extract-archive.js";
import { temporaryDirectory } from "../helpers.js";
import { type ArchiveEntry, patternBytes, tarGz, zip } from "./helpers.js";

const temp = temporaryDirectory();
after(temp.remove);

const FORMATS: readonly [ArchiveFormat, (entries: readonly ArchiveEntry[]) => Buffer][] = [
  ["tar.gz", tarGz],
  ["zip", zip],
];

let count = 0;
/** The archive written to disk, and an empty folder to unpack it into (inside a parent). */
function prepare(format: ArchiveFormat, bytes: Buffer): { archive: string; into: string } {
  const base = join(temp.dir, `case-${count++}`);
  const into = join(base, "parent", "into");
  mkdirSync(into, { recursive: true });
  const archive = join(base, `archive.${format}`);
  writeFileSync(archive, bytes);
  return { archive, into };
}

/** Every path under `dir`, folders with a trailing slash, sorted. */
function listTree(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? [`${prefix}${entry.name}/`, ...listTree(join(dir, entry.name), `${prefix}${entry.name}/`)]
        : [`${prefix}${entry.name}`],
    )
    .sort();
}

for (const [format, build] of FORMATS) {
  test(`${format}: files and folders land under the target, byte for byte`, async () => {
    const big = patternBytes(70_000);
    const { archive, into } = prepare(
      format,
      build([
        { name: "./", type: "dir" },
        { name: "root/", type: "dir" },
        { name: "root/a.bin", data: big },
        { name: "root/sub/b.txt", data: Buffer.from("b") },
        { name: "root/empty/", type: "dir" },
      ]),
    );
    await extractArchive(archive, format, into);
    assert.deepEqual(listTree(into), [
      "root/",
      "root/a.bin",
      "root/empty/",
      "root/sub/",
      "root/sub/b.txt",
    ]);
    assert.ok(readFileSync(join(into, "root/a.bin")).equals(big));
    assert.equal(readFileSync(join(into, "root/sub/b.txt"), "utf8"), "b");
  });

  const unsafe: [string, ArchiveEntry, RegExp][] = [
    ["../", { name: "../evil.txt", data: Buffer.from("x") }, /"\.\.\/evil\.txt" climbs out/],
    [
      "a nested ../",
      { name: "root/../../evil.txt", data: Buffer.from("x") },
      /"root\/\.\.\/\.\.\/evil\.txt" climbs out/,
    ],
    ["an absolute path", { name: "/tmp/evil.txt", data: Buffer.from("x") }, /is an absolute path/],
    [
      "a symbolic link",
      { name: "root/link", type: "symlink", data: Buffer.from("/etc/passwd") },
      /"root\/link" is a symbolic link/,
    ],
  ];
  for (const [what, entry, pattern] of unsafe) {
    test(`${format}: ${what} refuses the archive, and nothing escapes`, async () => {
      const { archive, into } = prepare(
        format,
        build([{ name: "root/ok.txt", data: Buffer.from("ok") }, entry]),
      );
      await assert.rejects(extractArchive(archive, format, into), (error: unknown) => {
        assert.ok(error instanceof DownloadError);
        assert.equal(error.code, "unsafe-archive");
        assert.match(error.message, pattern);
        assert.ok(error.message.startsWith(`${archive}: entry`));
        return true;
      });
      // Nothing outside the target: its parent holds only it, and /tmp no evil.txt of ours.
      assert.deepEqual(readdirSync(join(into, "..")), ["into"]);
      assert.equal(existsSync(join(into, "..", "evil.txt")), false);
      assert.equal(existsSync(join(into, "root", "link")), false);
    });
  }

  test(`${format}: a truncated archive is a bad archive`, async () => {
    const whole = build([{ name: "root/a.bin", data: patternBytes(50_000) }]);
    const { archive, into } = prepare(format, whole.subarray(0, Math.floor(whole.length / 2)));
    await assert.rejects(extractArchive(archive, format, into), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.code, "bad-archive");
      assert.ok(error.message.startsWith(`${archive}:`), error.message);
      return true;
    });
  });
}

test("tar.gz: a hard link is refused too", async () => {
  const { archive, into } = prepare(
    "tar.gz",
    tarGz([
      { name: "root/ok.txt", data: Buffer.from("ok") },
      { name: "root/hard", type: "hardlink", data: Buffer.from("root/ok.txt") },
    ]),
  );
  await assert.rejects(extractArchive(archive, "tar.gz", into), /"root\/hard" is a hard link/);
});

test("entry paths: what may not be written", () => {
  const cases: [string, string | null][] = [
    ["a/b.txt", null],
    ["./a/b", null],
    ["a/..b", null],
    ["../a", "climbs out of the folder with .."],
    ["a\\..\\..\\b", "climbs out of the folder with .."],
    ["/etc/passwd", "is an absolute path"],
    ["C:\\Windows", "is an absolute path"],
    ["\\\\server\\share", "is an absolute path"],
    ["a\0b", "holds a NUL character"],
  ];
  for (const [path, problem] of cases) assert.equal(entryPathProblem(path), problem, path);
});
