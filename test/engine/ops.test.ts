import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  arange,
  cat,
  F,
  full,
  ones,
  type Tensor,
  tensor,
  tidy,
  zeros,
} from "../../src/engine/index.js";
import {
  conv2dOutputSize,
  referenceBatchNorm,
  referenceConv2d,
  referenceCrossEntropy,
  referenceGelu,
  referenceLayerNorm,
  referenceLogSoftmaxRow,
  referenceMatmul,
} from "../helpers/reference-ops.js";
import { assertClose, randomValues } from "../helpers/test-random.js";

const f64 = (values: ArrayLike<number>, shape: number[]) =>
  tensor(Float64Array.from(values), shape);

describe("creation and conversion", () => {
  test("round trips every dtype through typed arrays", () => {
    tidy(() => {
      assert.deepEqual([...tensor(new Float32Array([1.5, -2]), [2]).toArray()], [1.5, -2]);
      assert.deepEqual([...tensor(new Float64Array([0.1]), [1]).toArray()], [0.1]);
      assert.deepEqual([...tensor(new BigInt64Array([3n, -4n]), [2]).toArray()], [3n, -4n]);
      assert.deepEqual([...tensor(new Int32Array([7, 8, 9]), [3]).toArray()], [7, 8, 9]);
      assert.deepEqual([...tensor(new Uint8Array([0, 255]), [2]).toArray()], [0, 255]);
      const flags = tensor(new Uint8Array([1, 0, 1]), [3], "bool");
      assert.equal(flags.dtype, "bool");
      assert.deepEqual([...flags.toArray()], [1, 0, 1]);
    });
  });

  test("shape, dtype and factories", () => {
    tidy(() => {
      const t = zeros([2, 3, 4]);
      assert.deepEqual(t.shape, [2, 3, 4]);
      assert.equal(t.size, 24);
      assert.equal(t.dtype, "float32");
      assert.deepEqual([...full([2], 7, "int64").toArray()], [7n, 7n]);
      assert.deepEqual([...arange(0, 5).toArray()], [0, 1, 2, 3, 4]);
      assert.equal(ones([3, 3]).sum().item(), 9);
    });
  });
});

describe("shape ops", () => {
  test("reshape, permute, transpose, flatten follow row-major order", () => {
    tidy(() => {
      const t = arange(0, 6).reshape(2, 3);
      assert.deepEqual([...t.transpose(0, 1).contiguous().toArray()], [0, 3, 1, 4, 2, 5]);
      const cube = arange(0, 24).reshape(2, 3, 4);
      const p = cube.permute(2, 0, 1).contiguous().toArray();
      // p[k][i][j] = cube[i][j][k] = 12 i + 4 j + k
      for (let k = 0; k < 4; k++)
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 3; j++) assert.equal(p[(k * 2 + i) * 3 + j], 12 * i + 4 * j + k);
      assert.deepEqual(cube.flatten(1).shape, [2, 12]);
    });
  });

  test("slice, select, cat, pad", () => {
    tidy(() => {
      const t = arange(0, 10);
      assert.deepEqual([...t.slice(0, 1, 8, 3).toArray()], [1, 4, 7]);
      assert.deepEqual([...arange(0, 6).reshape(2, 3).select(0, 1).toArray()], [3, 4, 5]);
      assert.deepEqual([...cat([arange(0, 2), arange(5, 7)]).toArray()], [0, 1, 5, 6]);
      const padded = ones([1, 1, 2, 2]).pad([1, 0, 0, 1], -1);
      assert.deepEqual(padded.shape, [1, 1, 3, 3]);
      assert.deepEqual([...padded.toArray()], [-1, 1, 1, -1, 1, 1, -1, -1, -1]);
    });
  });
});

describe("elementwise and reductions", () => {
  test("binary ops with tensors and scalars, broadcasting", () => {
    tidy(() => {
      const a = tensor([1, 2, 3, 4], [2, 2]);
      const row = tensor([10, 20], [2]);
      assert.deepEqual([...a.add(row).toArray()], [11, 22, 13, 24]);
      assert.deepEqual([...a.mul(2).sub(1).toArray()], [1, 3, 5, 7]);
      assert.deepEqual(
        [...a.div(row).toArray()],
        [1 / 10, 2 / 20, 3 / 10, 4 / 20].map(Math.fround),
      );
      assert.deepEqual([...a.neg().abs().toArray()], [1, 2, 3, 4]);
      assert.deepEqual([...tensor([-2, 0, 3]).sign().toArray()], [-1, 0, 1]);
      assert.deepEqual([...a.gt(2).toArray()], [0, 0, 1, 1]);
      assert.deepEqual([...a.clamp(2, 3).toArray()], [2, 2, 3, 3]);
    });
  });

  test("sum, mean, max, argmax, variance against hand values", () => {
    tidy(() => {
      const a = tensor([1, 5, 3, 4, 2, 6], [2, 3]);
      assert.equal(a.sum().item(), 21);
      assert.deepEqual([...a.sum([1]).toArray()], [9, 12]);
      assert.deepEqual([...a.mean([0], true).toArray()], [2.5, 3.5, 4.5]);
      assert.equal(a.max().item(), 6);
      const { values, indices } = a.maxAlong(1);
      assert.deepEqual([...values.toArray()], [5, 6]);
      assert.deepEqual([...indices.toArray()], [1n, 2n]);
      assert.deepEqual([...a.argmax(1).toArray()], [1n, 2n]);
      // unbiased variance of [1, 5, 3] is ((1-3)^2 + (5-3)^2 + 0) / 2 = 4
      assert.equal(a.variance([1]).toArray()[0], 4);
    });
  });

  test("cumsum counts booleans", () => {
    tidy(() => {
      const flags = tensor(new Uint8Array([1, 0, 1, 1]), [4], "bool");
      assert.deepEqual([...flags.cumsum(0, "int64").toArray()], [1n, 1n, 2n, 3n]);
    });
  });

  test("topk and kthvalue select by value", () => {
    tidy(() => {
      const a = tensor([0.3, -0.9, 0.5, 0.1, -0.2]);
      const top = a.abs().topk(2);
      assert.deepEqual([...top.indices.toArray()], [1n, 2n]);
      const kth = a.kthvalue(2);
      assert.equal(kth.values.item(), Math.fround(-0.2));
      assert.equal(kth.indices.item(), 4);
    });
  });
});

describe("neural-network ops against float64 references", () => {
  const cases = [
    {
      batch: 2,
      inChannels: 4,
      height: 6,
      width: 5,
      outChannels: 6,
      kernel: 3,
      stride: 1,
      padding: 1,
      groups: 1,
    },
    {
      batch: 1,
      inChannels: 3,
      height: 7,
      width: 7,
      outChannels: 4,
      kernel: 2,
      stride: 2,
      padding: 0,
      groups: 1,
    },
    {
      batch: 2,
      inChannels: 4,
      height: 5,
      width: 5,
      outChannels: 4,
      kernel: 5,
      stride: 1,
      padding: 2,
      groups: 4,
    },
    {
      batch: 1,
      inChannels: 4,
      height: 5,
      width: 4,
      outChannels: 6,
      kernel: 3,
      stride: 1,
      padding: 1,
      groups: 2,
    },
  ];
  for (const spec of cases) {
    test(`conv2d k${spec.kernel} s${spec.stride} p${spec.padding} groups ${spec.groups}`, () => {
      tidy(() => {
        const x = randomValues(spec.batch * spec.inChannels * spec.height * spec.width, 1);
        const w = randomValues(
          spec.outChannels * (spec.inChannels / spec.groups) * spec.kernel ** 2,
          2,
        );
        const y = F.conv2d(
          f64(x, [spec.batch, spec.inChannels, spec.height, spec.width]),
          f64(w, [spec.outChannels, spec.inChannels / spec.groups, spec.kernel, spec.kernel]),
          { stride: spec.stride, padding: spec.padding, groups: spec.groups },
        );
        const [oh, ow] = conv2dOutputSize(spec);
        assert.deepEqual(y.shape, [spec.batch, spec.outChannels, oh, ow]);
        assertClose(y.toArray() as Float64Array, referenceConv2d(x, w, spec), 1e-12, "conv2d");
      });
    });
  }

  test("conv2d padding 'same' keeps the size for odd kernels", () => {
    tidy(() => {
      const spec = {
        batch: 1,
        inChannels: 2,
        height: 6,
        width: 6,
        outChannels: 2,
        kernel: 5,
        stride: 1,
        padding: 2,
        groups: 2,
      };
      const x = randomValues(72, 3);
      const w = randomValues(50, 4);
      const y = F.conv2d(f64(x, [1, 2, 6, 6]), f64(w, [2, 1, 5, 5]), {
        padding: "same",
        groups: 2,
      });
      assertClose(y.toArray() as Float64Array, referenceConv2d(x, w, spec), 1e-12, "same");
    });
  });

  test("matmul and linear", () => {
    tidy(() => {
      const a = randomValues(3 * 4, 5);
      const b = randomValues(4 * 5, 6);
      assertClose(
        f64(a, [3, 4])
          .matmul(f64(b, [4, 5]))
          .toArray() as Float64Array,
        referenceMatmul(a, b, 3, 4, 5),
        1e-14,
        "matmul",
      );
      // linear(x, W) = x W^T with W [out, in]
      const w = f64(b, [4, 5]).transpose(0, 1).contiguous();
      const bias = f64([1, 2, 3, 4, 5], [5]);
      const expected = referenceMatmul(a, b, 3, 4, 5).map((v, i) => v + (i % 5) + 1);
      assertClose(
        F.linear(f64(a, [3, 4]), w, bias).toArray() as Float64Array,
        expected,
        1e-14,
        "linear",
      );
    });
  });

  test("batch norm: training statistics, running stats update, evaluation", () => {
    tidy(() => {
      const [n, c, hw] = [4, 3, 5];
      const x = randomValues(n * c * hw, 7);
      const gamma = [0.5, 1, 2];
      const beta = [0, -1, 0.25];
      const runningMean = f64([0, 0, 0], [3]);
      const runningVar = f64([1, 1, 1], [3]);
      const y = F.batchNorm(f64(x, [n, c, 1, hw]), {
        weight: f64(gamma, [3]),
        bias: f64(beta, [3]),
        runningMean,
        runningVar,
        training: true,
        momentum: 0.1,
        eps: 1e-5,
      });
      const ref = referenceBatchNorm(x, n, c, hw, gamma, beta, 1e-5);
      assertClose(y.toArray() as Float64Array, ref.y, 1e-12, "train output");
      // running = (1 - momentum) * running + momentum * batch statistic (unbiased variance)
      assertClose(
        runningMean.toArray() as Float64Array,
        ref.mean.map((m) => 0.1 * m),
        1e-14,
        "running mean",
      );
      assertClose(
        runningVar.toArray() as Float64Array,
        ref.unbiasedVar.map((v) => 0.9 + 0.1 * v),
        1e-14,
        "running var",
      );
      const evaluated = F.batchNorm(f64(x, [n, c, 1, hw]), {
        weight: f64(gamma, [3]),
        bias: f64(beta, [3]),
        runningMean,
        runningVar,
        training: false,
        eps: 1e-5,
      }).toArray();
      const rm = runningMean.toArray() as Float64Array;
      const rv = runningVar.toArray() as Float64Array;
      const expected = x.map((v, i) => {
        const ch = Math.floor(i / hw) % c;
        return (
          ((v - (rm[ch] as number)) / Math.sqrt((rv[ch] as number) + 1e-5)) *
            (gamma[ch] as number) +
          (beta[ch] as number)
        );
      });
      assertClose(evaluated as Float64Array, expected, 1e-12, "eval output");
    });
  });

  test("layer norm, GELU, softmax, log-softmax", () => {
    tidy(() => {
      const x = randomValues(3 * 8, 8).map((v) => v * 4);
      const gamma = randomValues(8, 9);
      const beta = randomValues(8, 10);
      const y = F.layerNorm(f64(x, [3, 8]), [8], { weight: f64(gamma, [8]), bias: f64(beta, [8]) });
      assertClose(
        y.toArray() as Float64Array,
        referenceLayerNorm(x, 3, 8, gamma, beta, 1e-5),
        1e-12,
        "layer norm",
      );
      assertClose(
        F.gelu(f64(x, [24])).toArray() as Float64Array,
        x.map(referenceGelu),
        1e-13,
        "gelu",
      );
      const logp = F.logSoftmax(f64(x, [3, 8]), 1).toArray() as Float64Array;
      for (let r = 0; r < 3; r++)
        assertClose(
          logp.subarray(r * 8, r * 8 + 8),
          referenceLogSoftmaxRow(x.subarray(r * 8, r * 8 + 8)),
          1e-13,
          "log-softmax",
        );
      assertClose(
        F.softmax(f64(x, [3, 8]), 1).toArray() as Float64Array,
        logp.map(Math.exp),
        1e-13,
        "softmax",
      );
    });
  });

  test("GELU of a channels-last tensor: same values and gradient, still channels-last", () => {
    tidy(() => {
      const values = randomValues(2 * 3 * 4 * 5, 21).map((v) => v * 3);
      const nchw = f64(values, [2, 3, 4, 5]).setRequiresGrad();
      const nhwc = f64(values, [2, 3, 4, 5]).contiguous("channels_last").detach().setRequiresGrad();
      const out = F.gelu(nhwc);
      assert.ok(out.isContiguous("channels_last"));
      assertClose(
        out.contiguous().toArray() as Float64Array,
        F.gelu(nchw).toArray() as Float64Array,
        0,
        "values",
      );
      F.gelu(nchw).sum().backward();
      out.sum().backward();
      const gradNhwc = (nhwc.grad as Tensor).contiguous().toArray() as Float64Array;
      assertClose(gradNhwc, (nchw.grad as Tensor).toArray() as Float64Array, 0, "gradient");
    });
  });

  test("cross-entropy with and without label smoothing", () => {
    tidy(() => {
      const logits = randomValues(5 * 4, 11).map((v) => v * 3);
      const labels = [0, 3, 1, 1, 2];
      const target = tensor(BigInt64Array.from(labels.map(BigInt)), [5]);
      for (const smoothing of [0, 0.1]) {
        const loss = F.crossEntropy(f64(logits, [5, 4]), target, {
          labelSmoothing: smoothing,
        }).item();
        assertClose(
          [loss],
          [referenceCrossEntropy(logits, labels, 4, smoothing)],
          1e-13,
          `smoothing ${smoothing}`,
        );
      }
    });
  });

  test("dropout keeps expectation, is identity in evaluation", () => {
    tidy(() => {
      const x = ones([100000]);
      const dropped = F.dropout(x, 0.25, true).toArray() as Float32Array;
      const kept = dropped.filter((v) => v !== 0);
      assert.ok(
        kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6),
        "survivors are scaled by 1 / (1 - p)",
      );
      assert.ok(
        Math.abs(kept.length / 100000 - 0.75) < 0.01,
        `kept fraction ${kept.length / 100000}`,
      );
      assert.equal(F.dropout(x, 0.25, false).sum().item(), 100000);
    });
  });

  test("adaptive average pooling to 1x1 is the spatial mean", () => {
    tidy(() => {
      const x = randomValues(2 * 3 * 4 * 4, 12);
      const y = F.adaptiveAvgPool2d(f64(x, [2, 3, 4, 4]), 1).toArray() as Float64Array;
      const expected = Array.from(
        { length: 6 },
        (_, k) => x.subarray(k * 16, k * 16 + 16).reduce((s, v) => s + v, 0) / 16,
      );
      assertClose(y, expected, 1e-14, "pool");
    });
  });
});
