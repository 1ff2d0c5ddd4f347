import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { noGrad } from "../../src/engine/index.js";
import { writeFileAtomic } from "../../src/io/atomic-write.js";
import {
  readTrainingCheckpoint,
  restoreModel,
  restoreOptimizer,
  writeTrainingCheckpoint,
} from "../../src/train/checkpoint.js";
import {
  CHECKPOINT_FORMAT_VERSION,
  decodeCheckpoint,
  encodeCheckpoint,
  type TensorData,
} from "../../src/train/checkpoint-container.js";
import { CheckpointError } from "../../src/train/checkpoint-error.js";
import { createOptimizer } from "../../src/train/create-optimizer.js";
import type { RunState } from "../../src/train/run-state.js";
import { parseTrainConfig } from "../../src/train/train-config.js";
import { stateSnapshot, TinyMaskedMlp, temporaryDirectory } from "./helpers.js";

const everyDtype: [string, TensorData][] = [
  ["f32", { dtype: "float32", shape: [2, 3], data: Float32Array.from([1.5, -2, 0, 3e-38, -0, 7]) }],
  ["f64", { dtype: "float64", shape: [3], data: Float64Array.from([Math.PI, -1e300, 5e-324]) }],
  ["i64", { dtype: "int64", shape: [2], data: BigInt64Array.from([-(2n ** 62n), 7n]) }],
  ["i32", { dtype: "int32", shape: [1, 1], data: Int32Array.from([-123456]) }],
  ["u8", { dtype: "uint8", shape: [5], data: Uint8Array.from([0, 1, 2, 254, 255]) }],
  ["flags", { dtype: "bool", shape: [3], data: Uint8Array.from([1, 0, 1]) }],
  ["scalar", { dtype: "float32", shape: [], data: Float32Array.from([42]) }],
  ["empty", { dtype: "float32", shape: [0, 4], data: new Float32Array(0) }],
];

function concat(chunks: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

test("the container round-trips every dtype, shape and the meta JSON", () => {
  const bytes = concat(
    encodeCheckpoint({ meta: { note: "é", n: [1, 2] }, tensors: new Map(everyDtype) }),
  );
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), "PEMNCKPT");
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint32(8, true), CHECKPOINT_FORMAT_VERSION);
  assert.equal((24 + view.getUint32(12, true)) % 8, 0, "data starts 8-byte aligned");
  const decoded = decodeCheckpoint(bytes, "x.ckpt");
  assert.deepEqual(decoded.meta, { note: "é", n: [1, 2] });
  assert.deepEqual([...decoded.tensors], everyDtype);
  // Raw little-endian: the float32 tensor's first element sits at the data start.
  const dataStart = 24 + view.getUint32(12, true);
  assert.equal(view.getFloat32(dataStart, true), 1.5);
});

function decodeError(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeCheckpoint(bytes, "/runs/a/last.ckpt"),
    (error: unknown) =>
      error instanceof CheckpointError &&
      error.file === "/runs/a/last.ckpt" &&
      error.message.startsWith("/runs/a/last.ckpt: ") &&
      pattern.test(error.message),
  );
}

test("damaged files are refused with the file named", () => {
  const good = concat(encodeCheckpoint({ meta: null, tensors: new Map(everyDtype) }));
  decodeError(good.subarray(0, 10), /too short/);
  const wrongMagic = good.slice();
  wrongMagic[0] = 0x58;
  decodeError(wrongMagic, /not a pemn checkpoint/);
  const future = good.slice();
  new DataView(future.buffer).setUint32(8, 99, true);
  decodeError(future, /format version 99 is not supported \(this pemn reads version 2\)/);
  decodeError(good.subarray(0, good.length - 3), /truncated: the header announces \d+ data bytes/);
  decodeError(concat([good, new Uint8Array(8)]), /8 unexpected bytes after the data/);
  decodeError(good.subarray(0, 40), /truncated: the header runs past the end/);
});

function makeRun(): RunState {
  return {
    epochsCompleted: 1,
    step: 4,
    config: parseTrainConfig({ epochs: 2, batchSize: 8, optimizer: { kind: "adamw", lr: 0.01 } }),
    history: [],
    bestValidation: null,
  };
}

test("a model and optimizer come back bit for bit; the run state too", () => {
  const directory = temporaryDirectory("checkpoint");
  try {
    const source = new TinyMaskedMlp({ inputs: 4, hidden: 6, classes: 3, seed: 1 });
    const optimizer = createOptimizer(makeRun().config.optimizer, source.namedParameters());
    // Move the BatchNorm statistics and scores away from their initial values.
    noGrad(() => {
      source.norm.runningMean.add_(0.25);
      source.hidden.weight.scores?.mul_(-3);
    });
    const file = join(directory.path, "last.ckpt");
    writeTrainingCheckpoint(file, source, optimizer, makeRun());
    assert.deepEqual(readdirSync(directory.path), ["last.ckpt"], "no temporary file is left");

    const target = new TinyMaskedMlp({ inputs: 4, hidden: 6, classes: 3, seed: 2 });
    const targetOptimizer = createOptimizer(makeRun().config.optimizer, target.namedParameters());
    const checkpoint = readTrainingCheckpoint(file);
    assert.deepEqual(checkpoint.run, makeRun());
    restoreModel(target, checkpoint);
    restoreOptimizer(targetOptimizer, checkpoint);
    assert.deepEqual(stateSnapshot(target), stateSnapshot(source));
    assert.deepEqual(
      [...checkpoint.model.keys()],
      target.namedState().map(([name]) => name),
    );
    for (const m of [source, target]) m.dispose();
    for (const o of [optimizer, targetOptimizer]) o.dispose();
  } finally {
    directory.remove();
  }
});

test("loading into a different model names the tensor and the file, and changes nothing", () => {
  const directory = temporaryDirectory("checkpoint");
  try {
    const file = join(directory.path, "last.ckpt");
    const source = new TinyMaskedMlp({ inputs: 4, hidden: 6, classes: 3, seed: 1 });
    const sourceOptimizer = createOptimizer(makeRun().config.optimizer, source.namedParameters());
    writeTrainingCheckpoint(file, source, sourceOptimizer, makeRun());
    const checkpoint = readTrainingCheckpoint(file);

    const wider = new TinyMaskedMlp({ inputs: 4, hidden: 6, classes: 5, seed: 1 });
    const before = stateSnapshot(wider);
    assert.throws(
      () => restoreModel(wider, checkpoint),
      new CheckpointError(
        file,
        'tensor "classifier.weight.scores" is float32 [3, 6] in the checkpoint, float32 [5, 6] in the model',
      ),
    );
    assert.deepEqual(stateSnapshot(wider), before);

    class WithExtra extends TinyMaskedMlp {
      constructor() {
        super({ inputs: 4, hidden: 6, classes: 3, seed: 1 });
        this.registerBuffer("extra", this.norm.runningMean.clone());
      }
    }
    const extra = new WithExtra();
    assert.throws(
      () => restoreModel(extra, checkpoint),
      /last\.ckpt: lacks the model's tensor "extra"/,
    );

    const smaller = new TinyMaskedMlp({ inputs: 4, hidden: 6, classes: 3, seed: 1 });
    const reduced = { ...checkpoint, model: new Map([...checkpoint.model].slice(1)) };
    reduced.model.set("stray", checkpoint.model.get("norm.weight") as TensorData);
    assert.throws(
      () => restoreModel(smaller, reduced),
      /last\.ckpt: holds tensor "stray", which the model does not have/,
    );

    const sgd = createOptimizer(
      { kind: "sgd", lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 },
      smaller.namedParameters(),
    );
    assert.throws(
      () => restoreOptimizer(sgd, checkpoint),
      /last\.ckpt: optimizer state is for adamw, this optimizer is sgd/,
    );
    for (const m of [source, wider, extra, smaller]) m.dispose();
    for (const o of [sourceOptimizer, sgd]) o.dispose();
  } finally {
    directory.remove();
  }
});

test("a missing or foreign file is a CheckpointError naming it", () => {
  const directory = temporaryDirectory("checkpoint");
  try {
    const missing = join(directory.path, "nope.ckpt");
    assert.throws(
      () => readTrainingCheckpoint(missing),
      new CheckpointError(missing, "no such checkpoint"),
    );
    const foreign = join(directory.path, "foreign.ckpt");
    writeFileSync(foreign, concat(encodeCheckpoint({ meta: { hello: 1 }, tensors: new Map() })));
    assert.throws(() => readTrainingCheckpoint(foreign), /foreign\.ckpt: invalid run state:\n/);
  } finally {
    directory.remove();
  }
});

test("writeFileAtomic replaces the whole file", () => {
  const directory = temporaryDirectory("atomic");
  try {
    const file = join(directory.path, "f.bin");
    writeFileAtomic(file, [Uint8Array.from([1, 2, 3, 4, 5])]);
    writeFileAtomic(file, [Uint8Array.from([9]), Uint8Array.from([8])]);
    assert.deepEqual([...readFileSync(file)], [9, 8]);
    assert.deepEqual(readdirSync(directory.path), ["f.bin"]);
  } finally {
    directory.remove();
  }
});

/** The header's JSON and where the data starts, read independently of the decoder. */
function layout(bytes: Uint8Array): {
  header: { tensors: { name: string; offset: number }[] };
  dataStart: number;
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataStart = 24 + view.getUint32(12, true);
  return {
    header: JSON.parse(Buffer.from(bytes.subarray(24, dataStart)).toString("utf8")),
    dataStart,
  };
}

test("every tensor and the header are checksummed: one flipped bit names what it hit", () => {
  const good = concat(encodeCheckpoint({ meta: { note: 1 }, tensors: new Map(everyDtype) }));
  const { header, dataStart } = layout(good);
  for (const [index, name] of ["f32", "f64", "i64", "u8"].entries()) {
    const record = header.tensors.find((tensor) => tensor.name === name);
    const flipped = good.slice();
    const at = dataStart + (record?.offset ?? 0) + index;
    flipped[at] = (flipped[at] as number) ^ 0x10;
    decodeError(flipped, new RegExp(`tensor "${name}": its checksum does not match`));
  }
  const headerFlip = good.slice();
  const digit = Buffer.from(headerFlip.subarray(24, dataStart)).indexOf('"note":1') + 7;
  headerFlip[24 + digit] = 0x32; // "note":1 -> "note":2, still valid JSON
  decodeError(headerFlip, /the header's checksum does not match/);
  const version1 = good.slice();
  new DataView(version1.buffer).setUint32(8, 1, true);
  decodeError(version1, /format version 1 carries no checksums and is not read by this pemn/);
});

test("a checkpoint holding NaN or an infinity is refused by name when read", () => {
  const directory = temporaryDirectory("checkpoint");
  try {
    const model = new TinyMaskedMlp({ inputs: 4, hidden: 6, classes: 3, seed: 1 });
    const optimizer = createOptimizer(makeRun().config.optimizer, model.namedParameters());
    noGrad(() => model.norm.weight?.mul_(Number.POSITIVE_INFINITY));
    const file = join(directory.path, "epoch-1.ckpt");
    writeTrainingCheckpoint(file, model, optimizer, makeRun());
    assert.throws(
      () => readTrainingCheckpoint(file),
      (error: unknown) =>
        error instanceof CheckpointError &&
        error.file === file &&
        /tensor "model\/norm\.weight" holds Infinity at element 0/.test(error.message),
    );
    model.dispose();
    optimizer.dispose();
  } finally {
    directory.remove();
  }
});
