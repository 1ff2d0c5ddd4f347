import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { crc32 } from "../../src/checksum/crc32.js";
import { trainTinyRun, writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";
import { runPemnMeasured } from "../io/run-pemn-measured.js";

interface Record {
  name: string;
  bytes: number;
}

/**
 * Adds `copies` entries over the largest tensor's bytes to the run's checkpoint, every checksum
 * and state.json's length and CRC made right again, as the report's 22.7 MB file was.
 */
function shareBytes(runDir: string, copies: number): number {
  const statePath = join(runDir, "state.json");
  const state = JSON.parse(readFileSync(statePath, "utf8"));
  const file = join(runDir, state.last.file);
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.subarray(24, 24 + headerLength).toString("utf8"));
  const largest = (header.tensors as Record[]).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  for (let index = 0; index < copies; index++)
    header.tensors.push({ ...largest, name: `model/copy${index}` });
  const json = JSON.stringify(header);
  const padded = Buffer.from(json.padEnd(Math.ceil(json.length / 8) * 8, " "));
  const prefix = Buffer.from(bytes.subarray(0, 24));
  prefix.writeUInt32LE(padded.length, 12);
  prefix.writeUInt32LE(crc32(padded), 16);
  const edited = Buffer.concat([prefix, padded, bytes.subarray(24 + headerLength)]);
  writeFileSync(file, edited);
  for (const which of ["last", "best"]) {
    if (state[which]?.file !== state.last.file) continue;
    state[which].bytes = edited.length;
    state[which].crc32 = crc32(edited);
  }
  writeFileSync(statePath, JSON.stringify(state));
  return largest.bytes * copies;
}

test("pemn eval of a run whose checkpoint shares one tensor's bytes 20,000 times refuses it (before: past the 9 s deadline, copying 1.5 GB)", async () => {
  const { dir, remove } = temporaryDirectory();
  try {
    writeSyntheticMnist(dir, 200, 40);
    const runDir = join(dir, "run");
    await trainTinyRun(dir, runDir, {});
    const copied = shareBytes(runDir, 20_000);
    assert.ok(copied > 10 ** 9, `the copies would take ${copied} bytes`);
    const result = runPemnMeasured(["eval", runDir], { timeoutMs: 9000 });
    assert.equal(result.timedOut, false);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /epoch-1\.ckpt: tensors .* share bytes: each tensor must own its own/,
    );
    assert.ok(result.maxRssBytes < 400 * 2 ** 20, `max RSS ${result.maxRssBytes}`);
  } finally {
    remove();
  }
});
