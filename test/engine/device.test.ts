import assert from "node:assert/strict";
import { constants, type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";
import { test } from "node:test";
import {
  cudaStatus,
  DeviceUnavailableError,
  EngineArgumentError,
  foreachAdd_,
  foreachAddcdiv_,
  foreachAddcmul_,
  foreachAddScalars_,
  foreachDiv_,
  foreachMul_,
  foreachSqrt,
  resolveDevice,
  type Tensor,
  tensor,
  tidy,
  zeros,
} from "../../src/engine/index.js";
import { TinyMaskedMlp } from "../train/helpers.js";

/*
 * Devices as a machine without a GPU sees them (CI's); test/gpu/cuda.test.ts covers CUDA.
 */
const gpu = cudaStatus().devices.length > 0;

test("device names: cpu as is, auto the CPU without a GPU, nonsense refused by name", () => {
  assert.equal(resolveDevice("cpu"), "cpu");
  if (!gpu) assert.equal(resolveDevice("auto"), "cpu");
  for (const bad of ["gpu", "cuda:", "cuda:-1", "CPU", ""]) {
    assert.throws(
      () => resolveDevice(bad),
      (error: unknown) =>
        error instanceof EngineArgumentError && error.message.includes(`"${bad}"`),
    );
  }
});

test("cuda without CUDA says what is missing and how to get it", { skip: gpu }, () => {
  const status = cudaStatus();
  for (const spec of ["cuda", "cuda:0", "cuda:3"]) {
    assert.throws(
      () => resolveDevice(spec),
      (error: unknown) =>
        error instanceof DeviceUnavailableError &&
        (status.built
          ? /no GPU can be used/.test(error.message)
          : /without CUDA/.test(error.message) && /LIBTORCH_USE_PYTORCH=1/.test(error.message)),
    );
  }
});

test("Module.to moves every tensor in place: the handles stay, the values too", () => {
  const model = new TinyMaskedMlp({ inputs: 4, hidden: 3, classes: 2, seed: 1 });
  try {
    const before = model.namedState().map(([name, t]) => [name, t, t.toFloat32Array()] as const);
    assert.equal(model.to("cpu"), model);
    assert.equal(model.device, "cpu");
    for (const [name, t, values] of before) {
      assert.equal(
        model.namedState().find(([n]) => n === name)?.[1],
        t,
        `${name} is the same tensor`,
      );
      assert.deepEqual(t.toFloat32Array(), values);
    }
  } finally {
    model.dispose();
  }
});

test("setData_ points a tensor at another's data, shape included", () => {
  tidy(() => {
    const target = zeros([2]);
    target.setData_(tensor([1, 2, 3], [3]));
    assert.deepEqual(target.shape, [3]);
    assert.deepEqual([...target.toFloat32Array()], [1, 2, 3]);
  });
});

test("foreach ops compute what the single-tensor ops compute, bit for bit", () => {
  tidy(() => {
    const make = (seed: number) => [
      tensor(Float32Array.from({ length: 5 }, (_, i) => Math.sin(seed + i) + 1.5)),
      tensor(Float32Array.from({ length: 3 }, (_, i) => Math.cos(seed * i) + 2)),
    ];
    const [a, b, c] = [make(1), make(2), make(3)] as [Tensor[], Tensor[], Tensor[]];
    const expected = a.map((t, i) => {
      const x = b[i] as Tensor;
      const y = c[i] as Tensor;
      return t
        .clone()
        .mul_(0.9)
        .add_(x, 0.1)
        .addcmul_(x, y, 0.25)
        .addcdiv_(
          x,
          y
            .sqrt()
            .div(2 + i)
            .add(1e-3),
          -0.5 * (i + 1),
        )
        .toFloat32Array();
    });
    const actual = a.map((t) => t.clone());
    foreachMul_(actual, [0.9, 0.9]);
    foreachAdd_(actual, b, 0.1);
    foreachAddcmul_(actual, b, c, [0.25, 0.25]);
    const denominators = foreachSqrt(c);
    foreachDiv_(denominators, [2, 3]);
    foreachAddScalars_(denominators, [1e-3, 1e-3]);
    foreachAddcdiv_(actual, b, denominators, [-0.5, -1]);
    actual.forEach((t, i) => {
      assert.deepEqual(t.toFloat32Array(), expected[i], `tensor ${i}`);
    });
    assert.throws(() => foreachMul_(actual, [1]), /one number per tensor/);
  });
});

/** Full (mark-compact) collections V8 runs while `fn` runs. */
async function majorCollections(fn: () => void): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) count++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  fn();
  await new Promise((resolve) => setTimeout(resolve, 200)); // entries arrive asynchronously
  observer.disconnect();
  return count;
}

test("host memory counts for V8's collector only where no scope frees it", async () => {
  const elements = 8 * 2 ** 20; // 32 MB
  // Freed by their scope: V8 need not know (it collected after every 64 MB when it did).
  const scoped = await majorCollections(() => {
    for (let i = 0; i < 30; i++) {
      tidy(() => {
        zeros([elements]);
      });
    }
  });
  // Dropped without dispose(): only the collector frees them, so V8 must feel their weight.
  const dropped = await majorCollections(() => {
    for (let i = 0; i < 30; i++) zeros([elements]);
  });
  assert.ok(scoped <= 2, `${scoped} full collections for scoped tensors`);
  assert.ok(dropped >= 5, `only ${dropped} full collections for 960 MB of dropped tensors`);
});
