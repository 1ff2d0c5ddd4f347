import assert from "node:assert/strict";
import { test } from "node:test";
import { type Tensor, tensor, tidy, topKMasks } from "../../src/engine/index.js";
import { keptCount } from "../../src/nn/index.js";
import { randomValues } from "../helpers/test-random.js";

/** Independent reference: order by value (largest first), ties by lower index, keep the first `count`. */
function referenceMask(values: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort(
    (a, b) => (values[b] as number) - (values[a] as number) || a - b,
  );
  const mask = new Array<number>(values.length).fill(0);
  for (const i of order.slice(0, count)) mask[i] = 1;
  return mask;
}

test("keeps exactly round(k * n) entries, the largest ones", () => {
  for (const [size, keep] of [
    [1000, 0.5],
    [7, 0.5],
    [101, 0.3],
    [64, 1],
    [50, 0.01],
  ] as const) {
    tidy(() => {
      const values = Float32Array.from(randomValues(size, size));
      const count = keptCount(size, keep);
      assert.equal(count, Math.round(keep * size));
      const mask = (
        topKMasks([tensor(values, [size])], [count])[0] as Tensor
      ).toArray() as Float32Array;
      assert.deepEqual([...mask], referenceMask(values, count), `size ${size} keep ${keep}`);
    });
  }
});

for (const method of ["auto", "sort"] as const) {
  test(`ties at the threshold go to the lowest indices (${method === "auto" ? "radix selection" : "stable sort, the GPU's way"})`, () => {
    tidy(() => {
      const values = Float32Array.from([2, 1, 3, 1, 1, 0, 3, 1, 2, 1]);
      for (let count = 0; count <= values.length; count++) {
        const mask = topKMasks([tensor(values, [2, 5])], [count], { method })[0] as Tensor;
        assert.deepEqual(mask.shape, [2, 5]);
        assert.deepEqual(
          [...(mask.toArray() as Float32Array)],
          referenceMask(values, count),
          `count ${count}`,
        );
      }
    });
  });
}

test("the stable sort (GPU) marks what the radix selection (CPU) marks, on heavily tied scores", () => {
  tidy(() => {
    for (const size of [3, 75, 1000, 65_537]) {
      // Eight distinct values: most entries tie with the threshold.
      const values = Float32Array.from(randomValues(size, size + 1), (v) => Math.floor(v * 8) / 8);
      const counts = [0, 1, size >> 1, Math.round(size * 0.1), size];
      const sources = counts.map(() => tensor(values, [size]));
      const radix = topKMasks(sources, counts);
      const sorted = topKMasks(sources, counts, { method: "sort" });
      counts.forEach((count, i) => {
        const expected = referenceMask(values, count);
        assert.deepEqual(
          [...(radix[i] as Tensor).toFloat32Array()],
          expected,
          `radix ${size}/${count}`,
        );
        assert.deepEqual(
          [...(sorted[i] as Tensor).toFloat32Array()],
          expected,
          `sort ${size}/${count}`,
        );
      });
    }
  });
});

test("rejects impossible counts", () => {
  tidy(() => {
    assert.throws(() => topKMasks([tensor([1, 2])], [3]), RangeError);
    assert.throws(() => topKMasks([tensor([1, 2])], [1.5]), RangeError);
  });
});
