import assert from "node:assert/strict";
import { test } from "node:test";
import { interpolate, learningRateAt, progressAfterStep } from "../../src/train/learning-rate.js";
import { scheduleConfigSchema } from "../../src/train/schedule-config.js";

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) <= 1e-15, `${actual} != ${expected}`);

test("interpolate follows numpy.interp: flat outside, last of repeated xs wins", () => {
  assert.equal(interpolate(-1, [0, 1], [5, 6]), 5);
  assert.equal(interpolate(3, [0, 1], [5, 6]), 6);
  assert.equal(interpolate(0.25, [0, 1], [4, 8]), 5);
  assert.equal(interpolate(1, [0, 1, 1, 2], [0, 10, 20, 30]), 20);
  assert.equal(interpolate(0, [0, 0, 0, 1], [0, 1, 0.05, 0]), 0.05);
  assert.equal(interpolate(2, [0, 1, 1, 2], [0, 10, 20, 30]), 30);
});

test("a step's lr is taken where it ends, as the reference's epoch + (i + 1) / len", () => {
  assert.equal(progressAfterStep(0, 0, 4), 0.25);
  assert.equal(progressAfterStep(2, 3, 4), 3);
  assert.equal(progressAfterStep(1, 0, 3), 1 + 1 / 3);
});

test("piecewise-linear: through (0, 0), (2E/5, lr), (4E/5, lr/20), (E, 0)", () => {
  const schedule = scheduleConfigSchema.parse({ kind: "piecewise-linear" });
  const at = (epoch: number, batch: number) =>
    learningRateAt(schedule, { peak: 0.05, epochs: 10 }, progressAfterStep(epoch, batch, 4));
  close(at(0, 0), 0.003125); // 0.25 epochs: 0.05 * 0.25 / 4
  close(at(1, 3), 0.025); // 2 epochs, half way up
  close(at(3, 3), 0.05); // 4 epochs, the peak
  close(at(5, 1), 0.0321875); // 5.5: 0.05 + 1.5 * (0.0025 - 0.05) / 4
  close(at(7, 3), 0.0025); // 8: lr / 20
  close(at(8, 1), 0.001875); // 8.5: 0.0025 - 0.5 * 0.0025 / 2
  close(at(9, 3), 0); // the last step
});

test("piecewise-linear floors its knots as the reference's integer division", () => {
  const schedule = scheduleConfigSchema.parse({ kind: "piecewise-linear" });
  // E = 7: knots 0, 2, 5, 7 (not 2.8 and 5.6).
  close(learningRateAt(schedule, { peak: 0.01, epochs: 7 }, 2), 0.01);
  close(learningRateAt(schedule, { peak: 0.01, epochs: 7 }, 3.5), 0.00525);
  // E = 1: knots 0, 0, 0, 1, so the rate falls from lr/20 to 0.
  close(learningRateAt(schedule, { peak: 0.05, epochs: 1 }, 0.5), 0.00125);
});

test("cosine: linear warm-up to lr, then half a cosine down to minLr", () => {
  const schedule = scheduleConfigSchema.parse({ kind: "cosine", warmupEpochs: 2, minLr: 0.001 });
  const at = (progress: number) => learningRateAt(schedule, { peak: 0.1, epochs: 10 }, progress);
  close(at(0.5), 0.025);
  close(at(1), 0.05);
  close(at(2), 0.1);
  close(at(4), 0.085501785668734); // 0.001 + 0.0495 (1 + cos(pi / 4))
  close(at(6), 0.0505);
  close(at(10), 0.001);
  const noWarmup = scheduleConfigSchema.parse({ kind: "cosine" });
  close(learningRateAt(noWarmup, { peak: 0.2, epochs: 4 }, 2), 0.1);
});

test("constant keeps the optimizer's lr", () => {
  const schedule = scheduleConfigSchema.parse({ kind: "constant" });
  assert.equal(learningRateAt(schedule, { peak: 0.3, epochs: 5 }, 4.2), 0.3);
});
