import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import * as ort from "onnxruntime-node";
import { decodeModelBytes, encodePemn } from "../../src/artifact/index.js";
import { builtInDatasetRecord, DATASET_STATS, Normalizer } from "../../src/data/index.js";
import { noGrad, tensor, tidy } from "../../src/engine/index.js";
import { createPemnModel, parseModelConfig } from "../../src/models/index.js";
import {
  exportOnnx,
  ONNX_INPUT,
  ONNX_OUTPUT,
  readOnnxInputSpec,
  readOnnxMetadata,
} from "../../src/onnx/index.js";
import { buildDecodedModel, packModel } from "../../src/packing/index.js";
import { parseWeightStrategy } from "../../src/weights/index.js";
import { trainTinyRun, writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";
import { runPemn } from "../helpers/run-pemn.js";

const FASHION_MNIST = "/usr/share/datasets/fashion-mnist";
const README = "/usr/share/doc/dataset-fashion-mnist/README.md.gz";
const IMAGE_BYTES = 28 * 28;

/** Fashion-MNIST's pixels as the IDX file holds them (16-byte header, then one byte each). */
function fashionPixels(file: string): Uint8Array {
  return gunzipSync(readFileSync(join(FASHION_MNIST, file))).subarray(16);
}

/** A Fashion-MNIST-shaped PEMN packed in memory, recording its dataset unless told not to. */
function packedFashionModel(withData: boolean): Uint8Array {
  const spec = {
    model: parseModelConfig({
      name: "mlp",
      hidden: [32],
      input: { channels: 1, height: 28, width: 28 },
      classes: 10,
    }),
    strategy: parseWeightStrategy({ kind: "mask" }),
    keepFraction: 0.5,
    seed: 11,
  };
  const { model } = createPemnModel(spec);
  try {
    const contents = packModel(model.eval(), spec, { values: "seed", norms: "fp32" });
    return encodePemn(
      withData ? { ...contents, dataset: builtInDatasetRecord("fashion-mnist") } : contents,
    );
  } finally {
    model.dispose();
  }
}

test("an exported model's metadata says how to feed it: Fashion-MNIST's statistics and class names, as computed from the data and its README", async () => {
  const pemn = packedFashionModel(true);
  const onnx = exportOnnx(decodeModelBytes(pemn));
  const metadata = readOnnxMetadata(onnx);

  // The mean and standard deviation of every training pixel, scaled to [0, 1], computed here.
  const pixels = fashionPixels("train-images-idx3-ubyte.gz");
  assert.equal(pixels.length, 60_000 * IMAGE_BYTES);
  let sum = 0;
  let squares = 0;
  for (const value of pixels) {
    sum += value / 255;
    squares += (value / 255) ** 2;
  }
  const mean = sum / pixels.length;
  const std = Math.sqrt(squares / pixels.length - mean ** 2);
  const normalization = JSON.parse(metadata.get("normalization") as string) as {
    mean: number[];
    std: number[];
  };
  const [recordedMean] = normalization.mean;
  const [recordedStd] = normalization.std;
  assert.ok(Math.abs((recordedMean as number) - mean) < 5e-4, `mean ${recordedMean} vs ${mean}`);
  assert.ok(Math.abs((recordedStd as number) - std) < 5e-4, `std ${recordedStd} vs ${std}`);

  // The class names as the dataset's own README lists them ("| 0 | T-shirt/top |").
  const readme = gunzipSync(readFileSync(README)).toString("utf8");
  const fromReadme = [...readme.matchAll(/^\| (\d) \| ([^|]+?) \|$/gm)].map((row) => row[2]);
  assert.equal(fromReadme.length, 10);
  assert.deepEqual(JSON.parse(metadata.get("class_names") as string), fromReadme);

  assert.deepEqual(
    [...metadata],
    [
      ["dataset", "fashion-mnist"],
      ["input_layout", "NCHW"],
      ["input_shape", '["batch",1,28,28]'],
      ["input_color", "grayscale"],
      [
        "input_scaling",
        "pixel / 255, then (x - mean[c]) / std[c] with normalization's mean and std",
      ],
      ["normalization", '{"mean":[0.286],"std":[0.353]}'],
      ["output", "logits"],
      ["num_classes", "10"],
      ["class_names", JSON.stringify(fromReadme)],
    ],
  );

  // onnxruntime agrees on the input, and the metadata alone feeds the model: test images
  // normalised by it give the logits the engine gives on pemn's own normalisation.
  const session = await ort.InferenceSession.create(onnx);
  const [input] = session.inputMetadata;
  assert.ok(input?.isTensor);
  assert.equal(input.name, ONNX_INPUT);
  assert.deepEqual(input.shape.slice(1), [1, 28, 28]);
  const spec = readOnnxInputSpec(onnx);
  const images = fashionPixels("t10k-images-idx3-ubyte.gz").subarray(0, 8 * IMAGE_BYTES);
  const fed = Float32Array.from(images, (value, index) => {
    const c = Math.floor((index % IMAGE_BYTES) / (spec.height * spec.width));
    const stats = spec.data?.normalization as { mean: number[]; std: number[] };
    return (value / 255 - (stats.mean[c] as number)) / (stats.std[c] as number);
  });
  const outputs = await session.run({
    [ONNX_INPUT]: new ort.Tensor("float32", fed, [8, spec.channels, spec.height, spec.width]),
  });
  const onnxLogits = (outputs[ONNX_OUTPUT] as ort.Tensor).data as Float32Array;
  await session.release();
  const engineInput = new Normalizer(DATASET_STATS["fashion-mnist"], {
    channels: 1,
    height: 28,
    width: 28,
  }).normalizeImages(images);
  const model = buildDecodedModel(decodeModelBytes(pemn));
  try {
    const engineLogits = noGrad(() =>
      tidy(() => model.forward(tensor(engineInput, [8, 1, 28, 28])).toArray<"float32">()),
    );
    const difference = Math.max(
      ...engineLogits.map((v, i) => Math.abs(v - (onnxLogits[i] as number))),
    );
    assert.ok(difference < 1e-4, `logits differ by ${difference}`);
  } finally {
    model.dispose();
  }
});

test("a file that records no data exports its layout only; the metadata reader says what is missing", () => {
  const onnx = exportOnnx(decodeModelBytes(packedFashionModel(false)));
  const metadata = readOnnxMetadata(onnx);
  assert.deepEqual(
    [...metadata.keys()],
    ["input_layout", "input_shape", "input_color", "output", "num_classes"],
  );
  assert.deepEqual(readOnnxInputSpec(onnx), {
    layout: "NCHW",
    channels: 1,
    height: 28,
    width: 28,
    classes: 10,
    data: null,
  });
  // Given the dataset (pemn export --dataset), it is written as a recorded one would be.
  const given = readOnnxMetadata(
    exportOnnx(decodeModelBytes(packedFashionModel(false)), {
      dataset: builtInDatasetRecord("fashion-mnist"),
    }),
  );
  assert.deepEqual(given, readOnnxMetadata(exportOnnx(decodeModelBytes(packedFashionModel(true)))));
});

let work: ReturnType<typeof temporaryDirectory>;
before(() => {
  work = temporaryDirectory();
});
after(() => work.remove());

test("pemn pack records the run's dataset and pemn export prints the metadata; --dataset fills in an old file's, and must fit it", async () => {
  const data = join(work.dir, "data");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(data);
  writeSyntheticMnist(data, 200, 50);
  const run = join(work.dir, "run");
  await trainTinyRun(data, run, {});
  const pemn = join(work.dir, "model.pemn");
  const onnx = join(work.dir, "model.onnx");
  const packed = await runPemn("pack", run, "-o", pemn);
  assert.equal(packed.status, 0, packed.stderr);
  assert.deepEqual(decodeModelBytes(readFileSync(pemn)).dataset, builtInDatasetRecord("mnist"));

  const exported = await runPemn("export", pemn, "--onnx", onnx);
  assert.equal(exported.status, 0, exported.stderr);
  assert.match(exported.stdout, /^metadata:$/m);
  assert.match(exported.stdout, /^ {2}input_layout +NCHW$/m);
  assert.match(exported.stdout, /^ {2}normalization +\{"mean":\[0\.1307\],"std":\[0\.3081\]\}$/m);
  assert.match(exported.stdout, /^ {2}class_names +\["0","1","2","3","4","5","6","7","8","9"\]$/m);
  assert.doesNotMatch(exported.stdout, /does not record/);
  assert.equal(readOnnxInputSpec(readFileSync(onnx)).data?.dataset, "mnist");

  // A file packed before pemn recorded its data.
  const old = join(work.dir, "old.pemn");
  writeFileSync(old, packedFashionModel(false));
  const bare = await runPemn("export", old, "--onnx", onnx);
  assert.equal(bare.status, 0, bare.stderr);
  assert.match(bare.stdout, /old\.pemn does not record its dataset .*give --dataset <name>/);
  assert.equal(readOnnxInputSpec(readFileSync(onnx)).data, null);
  const given = await runPemn("export", old, "--onnx", onnx, "--dataset", "fashion-mnist");
  assert.equal(given.status, 0, given.stderr);
  assert.match(given.stdout, /class_names +\["T-shirt\/top"/);
  assert.deepEqual(readOnnxInputSpec(readFileSync(onnx)).data, {
    dataset: "fashion-mnist",
    normalization: DATASET_STATS["fashion-mnist"],
    classNames: builtInDatasetRecord("fashion-mnist").classNames,
  });

  const legacy = join(import.meta.dirname, "../artifact/fixtures/legacy/convmixer-mask-seed.pemn");
  for (const [args, pattern] of [
    [
      [pemn, "--dataset", "fashion-mnist"],
      /model\.pemn: the file records that its model was trained on mnist, not fashion-mnist/,
    ],
    [
      [legacy, "--dataset", "cifar10"],
      /convmixer-mask-seed\.pemn: cifar10 does not fit the model: cifar10 has 10 classes, the model 4/,
    ],
    [
      [legacy, "--dataset", "mnist"],
      /convmixer-mask-seed\.pemn: mnist does not fit the model: mnist's images have 1 channels, the model's 3/,
    ],
    [
      [old, "--dataset", "imagenet"],
      /argument 'imagenet' is invalid\. Allowed choices are fashion-mnist, mnist, cifar10, cifar100, tiny-imagenet, folder/,
    ],
  ] as const) {
    const refused = await runPemn("export", ...args, "--onnx", onnx);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, pattern);
  }
});
