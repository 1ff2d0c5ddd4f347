import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32 } from "../../src/checksum/crc32.js";
import { readTrainingCheckpoint } from "../../src/train/checkpoint.js";
import {
  decodeCheckpoint,
  encodeCheckpoint,
  MAX_CHECKPOINT_TENSORS,
} from "../../src/train/checkpoint-container.js";
import { temporaryDirectory } from "../data/helpers.js";

interface Header {
  meta: unknown;
  dataBytes: number;
  tensors: {
    name: string;
    dtype: string;
    shape: number[];
    offset: number;
    bytes: number;
    crc32: number;
  }[];
}

/** A checkpoint whose header is edited by `edit`, every checksum recomputed (as the report did). */
function editedCheckpoint(edit: (header: Header) => void): Uint8Array {
  const data = Float32Array.from({ length: 1024 }, (_, index) => index);
  const chunks = encodeCheckpoint({
    meta: null,
    tensors: new Map([["model/weight", { dtype: "float32", shape: [1024], data }]]),
  });
  const file = Buffer.concat(chunks);
  const headerLength = file.readUInt32LE(12);
  const header = JSON.parse(file.subarray(24, 24 + headerLength).toString("utf8")) as Header;
  edit(header);
  const json = JSON.stringify(header);
  const padded = Buffer.from(json.padEnd(Math.ceil(json.length / 8) * 8, " "));
  const prefix = Buffer.from(file.subarray(0, 24));
  prefix.writeUInt32LE(padded.length, 12);
  prefix.writeUInt32LE(crc32(padded), 16);
  return Buffer.concat([prefix, padded, file.subarray(24 + headerLength)]);
}

test("entries sharing one tensor's bytes are refused before any is copied", () => {
  // The report: 200,000 entries over one tensor's bytes, CRCs right, made eval take 6 GB.
  const bomb = editedCheckpoint((header) => {
    const [first] = header.tensors;
    for (let index = 0; index < 50_000; index++)
      header.tensors.push({ ...(first as Header["tensors"][number]), name: `model/copy${index}` });
  });
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(() => decodeCheckpoint(bomb, "/runs/a/last.ckpt"), {
    name: "CheckpointError",
    message:
      /^\/runs\/a\/last\.ckpt: tensors "model\/weight" \(bytes 0\.\.4096\) and "model\/copy0" \(from 0\) share bytes/,
  });
  // Refused from the header: not one of the 50,000 copies was made.
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 2 ** 20);
  // Empty tensors own no bytes, so only a count bounds them.
  const many = editedCheckpoint((header) => {
    for (let index = 0; index <= MAX_CHECKPOINT_TENSORS; index++) {
      header.tensors.push({
        name: `model/e${index}`,
        dtype: "float32",
        shape: [0],
        offset: 0,
        bytes: 0,
        crc32: 0,
      });
    }
  });
  assert.throws(() => decodeCheckpoint(many, "x.ckpt"), {
    name: "CheckpointError",
    message:
      "x.ckpt: lists 65538 tensors, more than a model and its optimizer have (at most 65536)",
  });
  const shared = editedCheckpoint((header) => {
    const [first] = header.tensors;
    header.tensors.push({ ...(first as Header["tensors"][number]), name: "model/copy" });
  });
  assert.throws(() => decodeCheckpoint(shared, "/runs/a/last.ckpt"), {
    name: "CheckpointError",
    message: /tensors "model\/weight" \(bytes 0\.\.4096\) and "model\/copy" \(from 0\) share bytes/,
  });
  const overlapping = editedCheckpoint((header) => {
    header.tensors.push({
      ...(header.tensors[0] as Header["tensors"][number]),
      name: "model/half",
      offset: 2048,
      bytes: 2048,
    });
  });
  assert.throws(() => decodeCheckpoint(overlapping, "x.ckpt"), /share bytes/);
});

test("MAX_CHECKPOINT_TENSORS is well above a deep model's state and optimizer slots", () => {
  assert.ok(MAX_CHECKPOINT_TENSORS >= 10_000);
});

test("a checkpoint that is a device or a directory is refused by name", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    assert.throws(() => readTrainingCheckpoint("/dev/zero"), {
      name: "CheckpointError",
      message: "/dev/zero: is not a regular file (a character device); only regular files are read",
    });
    assert.throws(() => readTrainingCheckpoint(dir), {
      message: `${dir}: is a directory, not a file`,
    });
  } finally {
    remove();
  }
});
