import assert from "node:assert/strict";
import { test } from "node:test";
import { colorJitterStep } from "../../src/data/augment/color-jitter.js";
import { seededRandom } from "./helpers.js";

const shape = { channels: 3, height: 4, width: 4 };
const image = () => Uint8Array.from({ length: 48 }, (_, i) => 40 + ((i * 29) % 170));

test("no strengths: the image is untouched and nothing is drawn", () => {
  const step = colorJitterStep({ brightness: 0, contrast: 0, saturation: 0 }, shape);
  let draws = 0;
  const random = {
    nextFloat: () => ++draws,
    nextUint32: () => ++draws,
  };
  assert.deepEqual(
    Array.from(step.apply(image(), new Uint8Array(48), random)),
    Array.from(image()),
  );
  assert.equal(draws, 0);
});

test("brightness alone scales every value by a factor within [1 - s, 1 + s]", () => {
  const step = colorJitterStep({ brightness: 0.2, contrast: 0, saturation: 0 }, shape);
  const random = seededRandom(5);
  for (let trial = 0; trial < 50; trial++) {
    const before = image();
    const after = step.apply(before.slice(), new Uint8Array(48), random);
    before.forEach((value, i) => {
      const got = after[i] as number;
      assert.ok(got >= Math.floor(value * 0.8) && got <= Math.min(255, Math.ceil(value * 1.2)));
    });
  }
});

test("jitter is deterministic for a seed and varies across seeds", () => {
  const step = colorJitterStep({ brightness: 0.4, contrast: 0.4, saturation: 0.4 }, shape);
  const run = (seed: number) =>
    Array.from(step.apply(image(), new Uint8Array(48), seededRandom(seed)));
  assert.deepEqual(run(1), run(1));
  assert.notDeepEqual(run(1), run(2));
});
