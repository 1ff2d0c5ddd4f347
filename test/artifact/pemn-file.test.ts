import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PemnFormatError } from "../../src/artifact/format/index.js";
import { describePemnFile, readPemnFile, writePemnFile } from "../../src/artifact/pemn-file.js";
import { fixtureContents, smallConvMixer } from "./pemn-fixtures.js";

function withTemporaryDirectory(run: (directory: string) => void): void {
  const directory = mkdtempSync(join(tmpdir(), "pemn-file-"));
  try {
    run(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const contents = fixtureContents({ seed: 1, ...smallConvMixer });

test("a written file reads back, replaces the old one, and leaves no temporary file", () => {
  withTemporaryDirectory((directory) => {
    const path = join(directory, "model.pemn");
    writeFileSync(path, "old contents");
    writePemnFile(path, contents);
    assert.deepEqual(readPemnFile(path), contents);
    assert.equal(
      describePemnFile(path).maskedWeights,
      contents.maskedLayers.reduce((sum, layer) => sum + 8 * layer.mask.length, 0),
    );
    assert.deepEqual(readdirSync(directory), ["model.pemn"]);
  });
});

test("a write into a missing directory fails and creates nothing", () => {
  withTemporaryDirectory((directory) => {
    assert.throws(() => writePemnFile(join(directory, "missing", "model.pemn"), contents), {
      code: "ENOENT",
    });
    assert.deepEqual(readdirSync(directory), []);
  });
});

test("format errors from a file name the file", () => {
  withTemporaryDirectory((directory) => {
    const path = join(directory, "broken.pemn");
    writeFileSync(path, readFileSync(new URL(import.meta.url)).subarray(0, 20));
    assert.throws(
      () => readPemnFile(path),
      (error: unknown) => {
        assert.ok(error instanceof PemnFormatError);
        assert.equal(error.code, "bad-magic");
        assert.equal(error.file, path);
        assert.ok(error.message.startsWith(`${path}: bad-magic: not a .pemn file`));
        return true;
      },
    );
  });
});
