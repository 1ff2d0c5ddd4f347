import assert from "node:assert/strict";
import { test } from "node:test";
import onnxProto from "onnx-proto";
import {
  decodeModelBytes,
  decodePemn,
  describePemn,
  encodePemn,
  inspectPemn,
  type PemnContents,
  PemnModelError,
} from "../../src/artifact/index.js";
import { exportOnnx } from "../../src/onnx/index.js";
import { recordedDatasetName } from "../../src/run/evaluate-pemn.js";
import { fixtureContents, smallConvMixer } from "./pemn-fixtures.js";
import { assertPemnError } from "./pemn-surgery.js";

const NAMES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

function contents(dataset?: PemnContents["dataset"]): PemnContents {
  const base = fixtureContents({ seed: 5, ...smallConvMixer });
  return dataset === undefined ? base : { ...base, dataset };
}

test("a file records its dataset's name and class names; decoding and inspection give them back", () => {
  const dataset = { name: "folder", classNames: NAMES };
  const bytes = encodePemn(contents(dataset));
  assert.deepEqual(decodePemn(bytes).dataset, dataset);
  assert.deepEqual(decodeModelBytes(bytes).dataset, dataset);
  assert.deepEqual(describePemn(bytes).dataset, dataset);
  assert.deepEqual(inspectPemn(bytes).dataset, { name: "folder", classNames: NAMES });
  // A name alone (the names unknown, as for CIFAR-100) is a record too.
  assert.deepEqual(decodePemn(encodePemn(contents({ name: "cifar100" }))).dataset, {
    name: "cifar100",
  });
});

test("a file without a dataset is byte for byte what pemn wrote before the field existed", () => {
  const bytes = encodePemn(contents());
  assert.ok(!new TextDecoder().decode(bytes).includes('"dataset"'));
  assert.equal(decodePemn(bytes).dataset, undefined);
  assert.deepEqual(inspectPemn(bytes).dataset, { name: null, classNames: null });
  const withRecord = encodePemn(contents({ name: "fashion-mnist" }));
  assert.equal(
    withRecord.length - bytes.length,
    JSON.stringify({ name: "fashion-mnist" }).length + ',"dataset":'.length,
  );
});

test("pemn eval's default dataset is the file's record, Fashion-MNIST without one; an unknown name is refused", () => {
  const recorded = (dataset?: PemnContents["dataset"]) =>
    recordedDatasetName("m.pemn", decodeModelBytes(encodePemn(contents(dataset))));
  assert.equal(recorded({ name: "cifar10", classNames: NAMES }), "cifar10");
  assert.equal(recorded({ name: "folder" }), "folder");
  assert.equal(recorded(), "fashion-mnist");
  assert.throws(
    () => recorded({ name: "imagenet-21k" }),
    (error: unknown) =>
      error instanceof PemnModelError &&
      error.code === "dataset-mismatch" &&
      /^m\.pemn: .*"imagenet-21k", which this pemn does not know/.test(error.message),
  );
});

test("class names that do not match the model's classes, or cannot be stored, are refused", () => {
  assert.throws(
    () => decodeModelBytes(encodePemn(contents({ name: "folder", classNames: ["a", "b"] }))),
    (error: unknown) => {
      assert.ok(error instanceof PemnModelError);
      assert.equal(error.code, "dataset-mismatch");
      assert.match(error.message, /the file names 2 classes, its model has 10/);
      return true;
    },
  );
  assertPemnError(() => encodePemn(contents({ name: "" })), "invalid-contents", /dataset name/);
});

test("an exported ONNX model carries the dataset, class names and normalisation, and its input layout, as metadata", () => {
  const decoded = decodeModelBytes(encodePemn(contents({ name: "cifar10", classNames: NAMES })));
  const model = onnxProto.onnx.ModelProto.decode(exportOnnx(decoded));
  const metadata = Object.fromEntries(model.metadataProps.map(({ key, value }) => [key, value]));
  const layout = {
    input_layout: "NCHW",
    input_shape: JSON.stringify(["batch", 3, 32, 32]),
    input_color: "RGB",
  };
  assert.deepEqual(metadata, {
    dataset: "cifar10",
    ...layout,
    input_scaling: "pixel / 255, then (x - mean[c]) / std[c] with normalization's mean and std",
    normalization: JSON.stringify({ mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] }),
    output: "logits",
    num_classes: "10",
    class_names: JSON.stringify(NAMES),
  });
  // Without a dataset record, the layout alone (test/onnx/onnx-metadata.test.ts has the rest).
  const without = onnxProto.onnx.ModelProto.decode(
    exportOnnx(decodeModelBytes(encodePemn(contents()))),
  );
  assert.deepEqual(
    Object.fromEntries(without.metadataProps.map(({ key, value }) => [key, value])),
    { ...layout, output: "logits", num_classes: "10" },
  );
});
