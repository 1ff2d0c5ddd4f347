import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { decodeModelBytes, decodePemn, encodePemn } from "../../src/artifact/index.js";
import { builtInDatasetRecord, DATASET_STATS } from "../../src/data/index.js";
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT, readOnnxInputSpec } from "../../src/onnx/index.js";
import { PemnClassifier } from "../../src/predict/pemn-classifier.js";
import { trainTinyRun, writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";
import { runPemn } from "../helpers/run-pemn.js";

/** A tiny MLP trained an epoch on synthetic MNIST files, packed: what predictions are made with. */
const TEST_IMAGES = 60;
const IMAGE_BYTES = 28 * 28;

let work: ReturnType<typeof temporaryDirectory>;
let dataDir: string;
let runDir: string;
let model: string;
/** The test split as its files hold it, read here (IDX: 16- and 8-byte headers). */
let pixels: Uint8Array;
let labels: Uint8Array;

interface Line {
  index: number;
  label: number;
  predicted: number;
  class?: string;
  probabilities: number[];
}

const readLines = (file: string): Line[] =>
  readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Line);

before(async () => {
  work = temporaryDirectory();
  dataDir = join(work.dir, "data");
  mkdirSync(dataDir);
  writeSyntheticMnist(dataDir, 300, TEST_IMAGES);
  runDir = join(work.dir, "run");
  await trainTinyRun(dataDir, runDir, {});
  model = join(work.dir, "model.pemn");
  const packed = await runPemn("pack", runDir, "-o", model);
  assert.equal(packed.status, 0, packed.stderr);
  pixels = readFileSync(join(dataDir, "t10k-images-idx3-ubyte")).subarray(16);
  labels = readFileSync(join(dataDir, "t10k-labels-idx1-ubyte")).subarray(8);
});
after(() => work.remove());

/** Softmax in float64 of each row of the ONNX model's logits, on the pixels given. */
async function onnxProbabilities(images: Uint8Array): Promise<number[][]> {
  const onnx = exportOnnx(decodeModelBytes(readFileSync(model)));
  const spec = readOnnxInputSpec(onnx);
  const stats = spec.data?.normalization as { mean: number[]; std: number[] };
  const count = images.length / IMAGE_BYTES;
  // Normalised here from the ONNX metadata alone: (v / 255 - mean) / std.
  const input = Float32Array.from(
    images,
    (value) => (value / 255 - (stats.mean[0] as number)) / (stats.std[0] as number),
  );
  const session = await ort.InferenceSession.create(onnx);
  const output = await session.run({
    [ONNX_INPUT]: new ort.Tensor("float32", input, [count, 1, 28, 28]),
  });
  await session.release();
  const logits = (output[ONNX_OUTPUT] as ort.Tensor).data as Float32Array;
  return Array.from({ length: count }, (_, row) => {
    const values = Array.from(logits.subarray(row * 10, row * 10 + 10));
    const exponentials = values.map((value) => Math.exp(value - Math.max(...values)));
    const sum = exponentials.reduce((a, b) => a + b, 0);
    return exponentials.map((value) => value / sum);
  });
}

function assertClose(actual: readonly number[], expected: readonly number[], what: string): void {
  const difference = Math.max(
    ...actual.map((value, i) => Math.abs(value - (expected[i] as number))),
  );
  assert.ok(difference < 1e-5, `${what}: probabilities differ by ${difference}`);
}

test("pemn eval --predictions: a line per image whose probabilities are an independent forward pass's (onnxruntime)", async () => {
  const out = join(work.dir, "predictions.jsonl");
  writeFileSync(out, "an older file, replaced whole\n");
  const result = await runPemn(
    "eval",
    model,
    "--dataset",
    "mnist",
    "--data-dir",
    dataDir,
    "--predictions",
    out,
  );
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /predictions: .*predictions\.jsonl, a line per image/);
  const lines = readLines(out);
  assert.equal(lines.length, TEST_IMAGES);
  const expected = await onnxProbabilities(pixels);
  let correct = 0;
  for (const [row, line] of lines.entries()) {
    assert.deepEqual(Object.keys(line), ["index", "label", "predicted", "class", "probabilities"]);
    assert.equal(line.index, row);
    assert.equal(line.label, labels[row]);
    const want = expected[row] as number[];
    assertClose(line.probabilities, want, `image ${row}`);
    assert.equal(line.predicted, want.indexOf(Math.max(...want)), `image ${row}`);
    assert.equal(line.class, String(line.predicted));
    if (line.predicted === line.label) correct++;
  }
  // The accuracy printed is the lines'.
  const accuracy = Number(/accuracy ([\d.]+)%/.exec(result.stdout)?.[1]);
  assert.equal(accuracy, Number(((100 * correct) / TEST_IMAGES).toFixed(2)));
  assert.deepEqual(
    readdirSync(work.dir).filter((name) => name.startsWith("predictions")),
    ["predictions.jsonl"],
    "no temporary file is left",
  );

  // The run it was packed from predicts the same, line for line (its batches are of another
  // size, so the last float32 digits may differ).
  const fromRun = join(work.dir, "run-predictions.jsonl");
  const run = await runPemn("eval", runDir, "--split", "test", "--predictions", fromRun, "--json");
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).count, TEST_IMAGES, "--json prints only the JSON");
  for (const [row, line] of readLines(fromRun).entries()) {
    const { probabilities, ...rest } = lines[row] as Line;
    assert.deepEqual({ ...line, probabilities: [] }, { ...rest, probabilities: [] });
    assertClose(line.probabilities, probabilities, `run, image ${row}`);
  }

  const refused = await runPemn(
    "eval",
    model,
    "--dataset",
    "mnist",
    "--data-dir",
    dataDir,
    "--predictions",
    work.dir,
  );
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /is a directory, not a regular file/);
});

test("pemn predict classifies PNG files as the model's dataset record says, whatever their size and colour", async () => {
  const images = join(work.dir, "images");
  mkdirSync(images);
  const count = 6;
  const files: string[] = [];
  for (let index = 0; index < count; index++) {
    const gray = pixels.subarray(index * IMAGE_BYTES, (index + 1) * IMAGE_BYTES);
    const file = join(images, `test-${index}.png`);
    await sharp(Buffer.from(gray), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(file);
    files.push(file);
  }
  // The first image again as RGB (r = g = b) with an opaque alpha channel: the same gray pixels.
  const rgba = new Uint8Array(IMAGE_BYTES * 4);
  for (let p = 0; p < IMAGE_BYTES; p++) {
    const value = pixels[p] as number;
    rgba.set([value, value, value, 255], 4 * p);
  }
  const colour = join(images, "colour.png");
  await sharp(Buffer.from(rgba), { raw: { width: 28, height: 28, channels: 4 } })
    .png()
    .toFile(colour);
  // And at twice the size: resized to 28 x 28 on the way in.
  const large = join(images, "large.png");
  await sharp(files[0]).resize(56, 56, { kernel: "nearest" }).toFile(large);

  const result = await runPemn("predict", model, ...files, colour, large, "--json");
  assert.equal(result.status, 0, result.stderr);
  const predictions = JSON.parse(result.stdout) as {
    file: string;
    predicted: number;
    class: string;
    probability: number;
    probabilities: number[];
  }[];
  assert.deepEqual(
    predictions.map((prediction) => prediction.file),
    [...files, colour, large],
  );
  const expected = await onnxProbabilities(pixels.subarray(0, count * IMAGE_BYTES));
  for (const [index, prediction] of predictions.slice(0, count).entries()) {
    const want = expected[index] as number[];
    assertClose(prediction.probabilities, want, files[index] as string);
    assert.equal(prediction.predicted, want.indexOf(Math.max(...want)));
    assert.equal(prediction.class, String(prediction.predicted));
    assert.equal(prediction.probability, prediction.probabilities[prediction.predicted]);
  }
  assertClose(
    (predictions[count] as (typeof predictions)[0]).probabilities,
    expected[0] as number[],
    "colour.png",
  );
  const resized = predictions[count + 1] as (typeof predictions)[0];
  assert.ok(resized.predicted >= 0 && resized.predicted < 10);
  assert.ok(Math.abs(resized.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);

  const text = await runPemn("predict", model, files[0] as string);
  assert.equal(text.status, 0, text.stderr);
  assert.match(
    text.stdout,
    new RegExp(`^${files[0]}: ${predictions[0]?.class} \\(\\d+\\.\\d\\d%\\)\\n$`),
  );
});

test("pemn predict refuses a missing or undecodable image, and a file without a dataset record unless told its dataset", async () => {
  const notImage = join(work.dir, "notes.png");
  writeFileSync(notImage, "not an image");
  const old = join(work.dir, "old.pemn");
  const { dataset: _, ...contents } = decodePemn(readFileSync(model));
  writeFileSync(old, encodePemn(contents));
  const image = join(work.dir, "images", "test-0.png");
  for (const [args, pattern] of [
    [[model, join(work.dir, "missing.png")], /missing\.png: .*(no such file|ENOENT)/i],
    [[model, notImage], /notes\.png: not an image that can be read/],
    [[old, image], /old\.pemn does not record its dataset .*give --dataset <name>/],
    [
      [model, image, "--dataset", "fashion-mnist"],
      /model\.pemn: the file records that its model was trained on mnist, not fashion-mnist/,
    ],
  ] as const) {
    const refused = await runPemn("predict", ...args);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, pattern);
  }
  const told = await runPemn("predict", old, image, "--dataset", "mnist", "--json");
  assert.equal(told.status, 0, told.stderr);
  const [first] = JSON.parse(told.stdout) as { class: string }[];
  assert.match(first?.class ?? "", /^\d$/);
});

test("PemnClassifier: the library's way to run a .pemn, with the file's dataset or the one given", () => {
  const bytes = readFileSync(model);
  const classifier = PemnClassifier.fromBytes(bytes);
  try {
    assert.deepEqual(classifier.data, {
      dataset: "mnist",
      normalization: DATASET_STATS.mnist,
      classNames: builtInDatasetRecord("mnist").classNames,
    });
    assert.deepEqual(classifier.input, { channels: 1, height: 28, width: 28 });
    const [first] = classifier.predict(pixels.subarray(0, IMAGE_BYTES));
    assert.equal(first?.className, String(first?.predicted));
    assert.throws(() => classifier.predict(pixels.subarray(0, 100)), /not a whole number of/);
  } finally {
    classifier.dispose();
  }
  const { dataset: _, ...contents } = decodeModelBytes(bytes);
  const bare = PemnClassifier.fromDecoded(contents);
  try {
    assert.throws(
      () => bare.predict(pixels.subarray(0, IMAGE_BYTES)),
      /does not say how its inputs were normalised/,
    );
    assert.equal(bare.logits(new Float32Array(IMAGE_BYTES)).length, 10);
  } finally {
    bare.dispose();
  }
  const told = PemnClassifier.fromDecoded(contents, { dataset: builtInDatasetRecord("mnist") });
  try {
    assert.equal(told.data?.dataset, "mnist");
    assert.equal(told.predict(pixels.subarray(0, IMAGE_BYTES)).length, 1);
  } finally {
    told.dispose();
  }
  assert.throws(
    () => PemnClassifier.fromBytes(bytes, { dataset: builtInDatasetRecord("fashion-mnist") }),
    /the file records that its model was trained on mnist, not fashion-mnist/,
  );
});
