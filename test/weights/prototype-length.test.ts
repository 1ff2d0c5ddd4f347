import assert from "node:assert/strict";
import { test } from "node:test";
import { rpPrototypeLength } from "../../src/weights/index.js";

test("u = floor(d_m * r) + 1 on the paper's figures", () => {
  assert.equal(rpPrototypeLength(65_536, 1e-3), 66); // 65.536 -> 65 -> 66
  assert.equal(rpPrototypeLength(65_536, 1e-5), 1);
  assert.equal(rpPrototypeLength(65_536, 1e-1), 6_554);
  assert.equal(rpPrototypeLength(262_144, 1e-3), 263);
  assert.equal(rpPrototypeLength(36_864, 1e-2), 369);
});

test("the ratio counts as the decimal it is written as, not its float64 product", () => {
  // In float64 100 * 0.29 = 28.999999999999996 and 100 * 0.57 = 56.99999999999999.
  assert.equal(Math.floor(100 * 0.29), 28);
  assert.equal(rpPrototypeLength(100, 0.29), 30);
  assert.equal(rpPrototypeLength(100, 0.57), 58);
  assert.equal(rpPrototypeLength(1000, 0.001), 2);
  assert.equal(rpPrototypeLength(10 ** 7, 1e-7), 2);
  assert.equal(rpPrototypeLength(3 * 10 ** 7, 1.5e-7), 5);
});

test("for the paper's ratios the exact rule equals the reference code's float64 floor", () => {
  for (const ratio of [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]) {
    for (let size = 1; size <= 300_000; size++) {
      const reference = Math.min(Math.floor(size * ratio) + 1, size);
      if (rpPrototypeLength(size, ratio) !== reference) {
        assert.fail(
          `size ${size}, ratio ${ratio}: ${rpPrototypeLength(size, ratio)} vs ${reference}`,
        );
      }
    }
  }
});

test("ratio 1 keeps every value of the largest layer, no more", () => {
  assert.equal(rpPrototypeLength(65_536, 1), 65_536);
  assert.equal(rpPrototypeLength(1, 1), 1);
  assert.equal(rpPrototypeLength(1, 0.5), 1);
});

test("tiny ratios still keep one value", () => {
  assert.equal(rpPrototypeLength(65_536, 1e-300), 1);
  assert.equal(rpPrototypeLength(65_536, Number.MIN_VALUE), 1);
});

test("out-of-range arguments are refused", () => {
  for (const ratio of [0, -0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => rpPrototypeLength(100, ratio), /ratio must be in \(0, 1\]/);
  }
  for (const size of [0, -5, 2.5]) {
    assert.throws(() => rpPrototypeLength(size, 0.1), /largest layer size/);
  }
});
