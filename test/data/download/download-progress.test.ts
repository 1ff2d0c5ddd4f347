import assert from "node:assert/strict";
import { test } from "node:test";
import { createDownloadProgress } from "../../../src/data/download/download-progress.js";

/** A stream that keeps what is written; not a terminal unless told. */
function recorder(isTTY = false): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(""),
  } as unknown as NodeJS.WriteStream & { text: () => string };
}

test("lines (and auto off a terminal): a line per transfer and per note, no bar", () => {
  for (const mode of ["lines", "auto"] as const) {
    const stream = recorder();
    const progress = createDownloadProgress(mode, stream);
    progress.start("a.tar.gz", "http://h/a.tar.gz", 0, 3 * 1024 * 1024);
    progress.advance(1000);
    progress.stop();
    progress.start("b.zip", "http://h/b.zip", 2048, null);
    progress.note("b.zip: md5 0123 matches");
    assert.equal(
      stream.text(),
      [
        "downloading a.tar.gz (3.0 MiB) from http://h/a.tar.gz",
        "downloading b.zip from http://h/b.zip, resuming at 2.0 KiB",
        "b.zip: md5 0123 matches",
        "",
      ].join("\n"),
    );
  }
});

test("none: silent", () => {
  const stream = recorder(true);
  const progress = createDownloadProgress("none", stream);
  progress.start("a", "http://h/a", 0, 10);
  progress.advance(10);
  progress.note("x");
  assert.equal(stream.text(), "");
});
