import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Dataset, DatasetName } from "../../src/data/dataset.js";
import { DatasetError, type DatasetProblem } from "../../src/data/dataset-error.js";

export { seededRandom } from "../helpers/test-random.js";

/** An IDX file: big-endian magic, big-endian dimensions, then the bytes. */
export function idxBytes(magic: number, dims: number[], payload: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((size, index) => {
    view.setUint32(4 + 4 * index, size, false);
  });
  bytes.set(Array.from(payload), 4 + 4 * dims.length);
  return bytes;
}

/** CIFAR records: label byte(s) then 3072 pixel bytes; plane c of record r is filled with 10r + c. */
export function cifarBytes(labelsPerRecord: number[][]): Uint8Array {
  const recordBytes = (labelsPerRecord[0]?.length ?? 1) + 3072;
  const bytes = new Uint8Array(labelsPerRecord.length * recordBytes);
  labelsPerRecord.forEach((labels, record) => {
    const start = record * recordBytes;
    bytes.set(labels, start);
    for (let c = 0; c < 3; c++) {
      const plane = start + labels.length + c * 1024;
      bytes.fill(10 * record + c, plane, plane + 1024);
    }
  });
  return bytes;
}

/** A fresh temporary directory and its removal. */
export function temporaryDirectory(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "pemn-data-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A small in-memory dataset; image i's first pixel is i so tests can follow images around. */
export function tinyDataset(
  labels: number[],
  options: {
    name?: DatasetName;
    channels?: number;
    height?: number;
    width?: number;
    classes?: number;
  } = {},
): Dataset {
  const channels = options.channels ?? 1;
  const height = options.height ?? 1;
  const width = options.width ?? 2;
  const size = channels * height * width;
  const images = new Uint8Array(labels.length * size);
  for (let i = 0; i < labels.length; i++) {
    for (let v = 0; v < size; v++) images[i * size + v] = (i + v * 7) % 256;
  }
  return {
    name: options.name ?? "mnist",
    images,
    labels: Uint8Array.from(labels),
    count: labels.length,
    channels,
    height,
    width,
    classes: options.classes ?? Math.max(...labels) + 1,
  };
}

/** Asserts that `run` throws a DatasetError of `problem` whose message matches `pattern`. */
export function assertDatasetError(
  run: () => unknown,
  problem: DatasetProblem,
  pattern: RegExp,
): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof DatasetError, `expected DatasetError, got ${error}`);
    assert.equal(error.code, problem);
    assert.match(error.message, pattern);
    return true;
  });
}
