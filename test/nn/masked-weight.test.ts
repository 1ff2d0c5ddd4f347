import assert from "node:assert/strict";
import { test } from "node:test";
import { F, liveTensorCount, noGrad, type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { BatchNorm, MaskedConv2d, MaskedLinear, MaskedWeight } from "../../src/nn/index.js";
import { assertClose, randomValues } from "../helpers/test-random.js";

const masked = { kind: "masked", keepFraction: 0.5 } as const;

test("the effective weight is W times the top-half mask of |scores|", () => {
  tidy(() => {
    const values = Float32Array.from(randomValues(24, 1));
    const weight = new MaskedWeight({
      shape: [4, 6],
      fanIn: 6,
      values,
      mode: masked,
      scoreSeed: 3,
      scoreStream: "w",
    });
    const scores = weight.scores?.toArray() as Float32Array;
    const bound = 1 / Math.sqrt(6);
    assert.ok(
      scores.every((s) => Math.abs(s) <= bound),
      "scores start within the Kaiming-uniform bound",
    );
    const order = [...scores.keys()].sort(
      (a, b) => Math.abs(scores[b] as number) - Math.abs(scores[a] as number) || a - b,
    );
    const kept = new Set(order.slice(0, 12));
    const expected = values.map((v, i) => v * (kept.has(i) ? 1 : 0));
    assert.deepEqual([...(weight.effective().toArray() as Float32Array)], [...expected]);
    weight.dispose();
  });
});

test("straight-through gradient: d loss / d mask, passed to |S|, times sign(S)", () => {
  tidy(() => {
    const shape = [3, 2, 3, 3];
    const values = Float32Array.from(randomValues(54, 5));
    const conv = new MaskedConv2d({
      inChannels: 2,
      outChannels: 3,
      kernel: 3,
      padding: 1,
      mode: masked,
      values,
      scoreSeed: 7,
      scoreStream: "conv",
    });
    const x = tensor(Float32Array.from(randomValues(2 * 2 * 4 * 4, 8)), [2, 2, 4, 4]);
    const projection = tensor(Float32Array.from(randomValues(2 * 3 * 4 * 4, 9)), [2, 3, 4, 4]);
    conv.forward(x).mul(projection).sum().backward();
    const analytic = conv.weight.scores?.grad?.toArray() as Float32Array;

    // Finite differences in float64 of L(W * a) in the continuous mask a, at a = M.
    const mask = conv.weight.mask()?.toArray() as Float32Array;
    const x64 = tensor(Float64Array.from(x.toArray() as Float32Array), [2, 2, 4, 4]);
    const p64 = tensor(Float64Array.from(projection.toArray() as Float32Array), [2, 3, 4, 4]);
    const loss = (a: Float64Array) =>
      noGrad(() =>
        tidy(() => {
          const w = tensor(
            Float64Array.from(values, (v, i) => v * (a[i] as number)),
            shape,
          );
          return F.conv2d(x64, w, { padding: 1 }).mul(p64).sum().item();
        }),
      );
    const h = 1e-6;
    const signs = conv.weight.scores?.sign().toArray() as Float32Array;
    const expected = Array.from(mask, (_, i) => {
      const up = Float64Array.from(mask);
      const down = Float64Array.from(mask);
      up[i] = (up[i] as number) + h;
      down[i] = (down[i] as number) - h;
      return ((loss(up) - loss(down)) / (2 * h)) * (signs[i] as number);
    });
    assertClose(analytic, expected, 1e-4, "score gradient");
    assert.ok(
      expected.some((g, i) => g !== 0 && mask[i] === 0),
      "pruned weights get gradient too",
    );
    conv.dispose();
  });
});

test("dense mode trains the values and has no scores", () => {
  tidy(() => {
    const linear = new MaskedLinear({
      inFeatures: 3,
      outFeatures: 2,
      mode: { kind: "dense" },
      values: Float32Array.from([1, 2, 3, 4, 5, 6]),
      scoreSeed: 0,
      scoreStream: "l",
    });
    assert.deepEqual(
      linear.namedParameters().map(([name]) => name),
      ["weight.values"],
    );
    const y = linear.forward(tensor([1, 0, -1], [1, 3]));
    assert.deepEqual([...(y.toArray() as Float32Array)], [1 - 3, 4 - 6]);
    y.sum().backward();
    assert.deepEqual(
      [...((linear.weight.values.grad as Tensor).toArray() as Float32Array)],
      [1, 0, -1, 1, 0, -1],
    );
    linear.dispose();
  });
});

test("batch norm module: batch statistics in training, running ones in evaluation", () => {
  tidy(() => {
    const bn = new BatchNorm({ channels: 1, affine: true, eps: 1e-5, momentum: 0.1 });
    const x = tensor([1, 3], [2, 1, 1, 1]);
    assert.deepEqual(
      [...(bn.forward(x).toArray() as Float32Array)].map((v) => Math.round(v * 1e4) / 1e4),
      [-1, 1],
    );
    assert.equal(
      bn.runningMean.item(),
      Math.fround(0.2),
      "running mean moved by momentum 0.1 towards 2",
    );
    bn.eval();
    // (x - 0.2) / sqrt(0.9 + 0.1 * 2 + eps), the unbiased batch variance being 2
    const expected = [1, 3].map((v) => (v - 0.2) / Math.sqrt(1.1 + 1e-5));
    assertClose(bn.forward(x).toArray() as Float32Array, expected, 1e-6, "eval");
    assert.deepEqual(
      bn.namedState().map(([name]) => name),
      ["weight", "bias", "runningMean", "runningVar"],
    );
    bn.dispose();
  });
});

test("dispose frees every tensor a module registered", () => {
  const before = liveTensorCount();
  const conv = new MaskedConv2d({
    inChannels: 4,
    outChannels: 4,
    kernel: 5,
    groups: 4,
    padding: "same",
    mode: masked,
    values: new Float32Array(100),
    scoreSeed: 1,
    scoreStream: "dw",
  });
  assert.equal(liveTensorCount(), before + 2, "values and scores");
  conv.dispose();
  assert.equal(liveTensorCount(), before);
});
