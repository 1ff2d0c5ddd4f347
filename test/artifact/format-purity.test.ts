import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { test } from "node:test";

test("src/artifact/format imports only its own files and the pure checksum (no Node built-ins, no engine)", async () => {
  const directory = new URL("../../src/artifact/format/", import.meta.url);
  const files = (await readdir(directory)).filter((file) => file.endsWith(".ts"));
  assert.ok(files.length > 10);
  for (const file of files) {
    const source = await readFile(new URL(file, directory), "utf8");
    for (const [, specifier] of source.matchAll(/from\s+"([^"]+)"/g)) {
      assert.match(
        specifier ?? "",
        /^(\.\/[\w-]+|\.\.\/\.\.\/checksum\/crc32)\.js$/,
        `${file} imports ${specifier}`,
      );
    }
  }
});
