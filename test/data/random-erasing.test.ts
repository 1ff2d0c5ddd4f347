import assert from "node:assert/strict";
import { test } from "node:test";
import { drawErasingBox, randomErasingStep } from "../../src/data/augment/random-erasing.js";
import { seededRandom } from "./helpers.js";

const shape = { channels: 2, height: 16, width: 16 };

test("erasing boxes stay inside the image, strictly smaller, with area near the asked range", () => {
  const random = seededRandom(12);
  for (let i = 0; i < 1000; i++) {
    const box = drawErasingBox(random, shape, [0.02, 0.33], [0.3, 3.3]);
    assert.ok(box !== undefined);
    assert.ok(box.height >= 1 && box.height < 16 && box.width >= 1 && box.width < 16);
    assert.ok(
      box.top >= 0 && box.top + box.height <= 16 && box.left >= 0 && box.left + box.width <= 16,
    );
    // Rounding each side moves the area by at most (side + 0.25) from the drawn one.
    const area = box.height * box.width;
    assert.ok(area >= 0.02 * 256 - 10 && area <= 0.33 * 256 + 20, `area ${area}`);
  }
  // Nothing strictly smaller than a 1x1 image exists: no box.
  assert.equal(
    drawErasingBox(random, { channels: 1, height: 1, width: 1 }, [0.5, 1], [1, 1]),
    undefined,
  );
});

test("zero fill erases one rectangle in every channel and nothing else", () => {
  const step = randomErasingStep({ p: 1, scale: [0.1, 0.3], ratio: [0.5, 2], fill: "zero" }, shape);
  const values = new Float32Array(10 + 512).fill(1);
  step.apply(values, 10, seededRandom(3));
  assert.deepEqual(Array.from(values.subarray(0, 10)), new Array(10).fill(1));
  const zeros: number[] = [];
  values.subarray(10).forEach((value, i) => {
    if (value === 0) zeros.push(i);
  });
  const plane0 = zeros.filter((i) => i < 256);
  const plane1 = zeros.filter((i) => i >= 256).map((i) => i - 256);
  assert.deepEqual(plane1, plane0);
  const rows = plane0.map((i) => Math.floor(i / 16));
  const cols = plane0.map((i) => i % 16);
  const height = Math.max(...rows) - Math.min(...rows) + 1;
  const width = Math.max(...cols) - Math.min(...cols) + 1;
  assert.equal(plane0.length, height * width, "the erased pixels form a full rectangle");
  assert.ok(plane0.length >= 0.1 * 256 - 8 && plane0.length <= 0.3 * 256 + 12);
});

test("random fill draws normal values; p = 0 never erases; same seed same result", () => {
  const random = randomErasingStep(
    { p: 1, scale: [0.2, 0.2], ratio: [1, 1], fill: "random" },
    shape,
  );
  const run = (seed: number) => {
    const values = new Float32Array(512).fill(7);
    random.apply(values, 0, seededRandom(seed));
    return values;
  };
  const erased = Array.from(run(4)).filter((value) => value !== 7);
  assert.equal(erased.length, 2 * 7 * 7); // side round(sqrt(0.2 * 256)) = 7
  assert.ok(erased.every((value) => Math.abs(value) < 6));
  assert.ok(new Set(erased).size > 90);
  assert.deepEqual(run(4), run(4));
  const never = randomErasingStep({ p: 0, scale: [0.2, 0.2], ratio: [1, 1], fill: "zero" }, shape);
  const values = new Float32Array(512).fill(7);
  never.apply(values, 0, seededRandom(1));
  assert.ok(values.every((value) => value === 7));
});
