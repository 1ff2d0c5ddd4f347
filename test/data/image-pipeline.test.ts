import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/parse-config.js";
import { parseAugmentationConfig } from "../../src/data/augment/augmentation-config.js";
import { ImagePipeline } from "../../src/data/augment/image-pipeline.js";
import { DATASET_STATS, Normalizer } from "../../src/data/normalization.js";
import { seededRandom } from "./helpers.js";

const cifar = { channels: 3, height: 32, width: 32 };
const images = Uint8Array.from({ length: 4 * 3072 }, (_, i) => (i * 7919) % 256);

const referenceSteps = parseAugmentationConfig([
  { kind: "randomResizedCrop", scale: [0.75, 1] },
  { kind: "horizontalFlip" },
  { kind: "randAugment", numOps: 2, magnitude: 12 },
  { kind: "colorJitter", brightness: 0.1, contrast: 0.1, saturation: 0.1 },
  { kind: "randomErasing", p: 0.25 },
]);

test("without steps the pipeline only normalises", () => {
  const pipeline = new ImagePipeline([], cifar, DATASET_STATS.cifar10);
  const expected = new Normalizer(DATASET_STATS.cifar10, cifar).normalizeImages(images);
  assert.deepEqual(pipeline.transformImages(images, seededRandom(1)), expected);
});

test("steps run on uint8 pixels before normalisation", () => {
  const shape = { channels: 1, height: 1, width: 3 };
  const pipeline = new ImagePipeline(
    parseAugmentationConfig([{ kind: "horizontalFlip", p: 1 }]),
    shape,
    { mean: [0], std: [1] },
  );
  const out = pipeline.transformImages(Uint8Array.from([0, 51, 255]), seededRandom(1));
  assert.deepEqual(Array.from(out), [1, Math.fround(51 / 255), 0]);
});

test("the full reference pipeline is deterministic and leaves its input alone", () => {
  const pipeline = new ImagePipeline(referenceSteps, cifar, DATASET_STATS.cifar10);
  const before = images.slice();
  const first = pipeline.transformImages(images, seededRandom(42));
  assert.deepEqual(images, before);
  assert.deepEqual(pipeline.transformImages(images, seededRandom(42)), first);
  assert.notDeepEqual(pipeline.transformImages(images, seededRandom(43)), first);
  assert.ok(first.every(Number.isFinite));
});

test("saturation jitter on one-channel images is a configuration error", () => {
  assert.throws(
    () =>
      new ImagePipeline(
        parseAugmentationConfig([{ kind: "colorJitter", saturation: 0.1 }]),
        { channels: 1, height: 28, width: 28 },
        DATASET_STATS["fashion-mnist"],
      ),
    (error: unknown) =>
      error instanceof ConfigError &&
      /colorJitter\.saturation needs 3-channel images, these have 1/.test(error.message),
  );
});
