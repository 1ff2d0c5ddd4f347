import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/parse-config.js";
import {
  type AugmentationStepInput,
  parseAugmentationConfig,
} from "../../src/data/augment/augmentation-config.js";
import { ImagePipeline } from "../../src/data/augment/image-pipeline.js";
import { DATASET_STATS, Normalizer } from "../../src/data/normalization.js";
import type { RandomSource } from "../../src/data/random-source.js";
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

/** A stream that logs every draw ("u" word, "f" float) so two walks over it can be compared. */
function recordingRandom(seed: number): { random: RandomSource; draws: string[] } {
  const source = seededRandom(seed);
  const draws: string[] = [];
  return {
    draws,
    random: {
      nextUint32: () => {
        draws.push("u");
        return source.nextUint32();
      },
      nextFloat: () => {
        draws.push("f");
        return source.nextFloat();
      },
    },
  };
}

test("skipImage draws exactly what transformImage draws, for every step", () => {
  const steps: AugmentationStepInput[] = [
    { kind: "randomCrop", padding: 4 },
    { kind: "randomResizedCrop", scale: [0.08, 1] },
    { kind: "horizontalFlip" },
    { kind: "randAugment", numOps: 3, magnitude: 9 },
    { kind: "colorJitter", brightness: 0.4, contrast: 0.4, saturation: 0.4 },
    { kind: "randomErasing", p: 0.9, fill: "zero" },
    { kind: "randomErasing", p: 0.9, fill: "random" },
  ];
  const cases = [...steps.map((step) => [step]), steps.slice(0, 6), referenceSteps];
  for (const config of cases) {
    const pipeline = new ImagePipeline(
      parseAugmentationConfig(config),
      cifar,
      DATASET_STATS.cifar10,
    );
    const transformed = recordingRandom(9);
    const skipped = recordingRandom(9);
    const out = new Float32Array(3072);
    for (let image = 0; image < 4 * 50; image++) {
      pipeline.transformImage(images, (image % 4) * 3072, out, 0, transformed.random);
      pipeline.skipImage(skipped.random);
      assert.equal(skipped.draws.length, transformed.draws.length, JSON.stringify(config));
    }
    assert.deepEqual(skipped.draws, transformed.draws, JSON.stringify(config));
  }
});
