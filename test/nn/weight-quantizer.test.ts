import assert from "node:assert/strict";
import { test } from "node:test";
import { type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { createPemnModel, parseModelConfig } from "../../src/models/index.js";
import {
  FLT_MIN,
  largestLevel,
  MaskedConv2d,
  MaskedLinear,
  MaskedWeight,
  type WeightMode,
} from "../../src/nn/index.js";
import { train } from "../../src/train/index.js";
import { parseWeightStrategy } from "../../src/weights/index.js";
import { randomValues } from "../helpers/test-random.js";
import { syntheticDataset } from "../train/helpers.js";

/** Round half to even, as libtorch's round (std::nearbyint). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * A float32 rounded to the nearest bfloat16, ties to even, from its bits: add 0x7fff plus the
 * lowest kept bit, then clear the low 16 bits (finite values only).
 */
function bfloat16(value: number): number {
  const bits = new Uint32Array(Float32Array.of(value).buffer)[0] as number;
  const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
  return new Float32Array(Uint32Array.of(rounded >>> 0).buffer)[0] as number;
}

test("the reference's bfloat16 rounding, by hand", () => {
  assert.equal(bfloat16(1), 1);
  assert.equal(bfloat16(1 + 2 ** -8), 1, "half way: to even (1)");
  assert.equal(bfloat16(1 + 3 * 2 ** -8), 1 + 2 ** -6, "half way: to even (1 + 2^-6)");
  assert.equal(bfloat16(1 + 2 ** -8 + 2 ** -20), 1 + 2 ** -7, "above half: up");
  assert.equal(bfloat16(FLT_MIN), FLT_MIN);
});

/**
 * b-bit symmetric per-channel quantization, computed here from its definition: the largest
 * |w| of each output channel, the scale bf16(f32(max / q)) (FLT_MIN for a channel of zeros), levels
 * round(f32(w / scale)) within [-q, q], and each weight the float32 product level x scale.
 */
function quantizedReference(values: Float32Array, channels: number, bits: number) {
  const top = largestLevel(bits);
  const per = values.length / channels;
  const levels = new Float64Array(values.length);
  const scales = new Float64Array(channels);
  const weights = new Float32Array(values.length);
  for (let c = 0; c < channels; c++) {
    let largest = 0;
    for (let i = c * per; i < (c + 1) * per; i++) {
      largest = Math.max(largest, Math.abs(values[i] as number));
    }
    const scale = Math.max(bfloat16(Math.fround(largest / top)), FLT_MIN);
    scales[c] = scale;
    for (let i = c * per; i < (c + 1) * per; i++) {
      // + 0: a level is an integer (the file's), so a weight rounding to -0 computes with +0.
      const level =
        Math.min(top, Math.max(-top, roundHalfEven(Math.fround((values[i] as number) / scale)))) +
        0;
      levels[i] = level;
      weights[i] = Math.fround(level * scale);
    }
  }
  return { levels, scales, weights };
}

function assertSameFloat32(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${what}[${i}]: ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** Random float32 weights of `shape`, channel 1 all zeros, one exact 0 and one -0 elsewhere. */
function testWeights(shape: readonly number[], seed: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const per = size / (shape[0] as number);
  const values = Float32Array.from(randomValues(size, seed), (v) => v * 0.3);
  values.fill(0, per, 2 * per);
  values[2 * per] = 0;
  values[2 * per + 1] = -0;
  return values;
}

function weightOf(shape: readonly number[], values: Float32Array, mode: WeightMode) {
  return new MaskedWeight({ shape, fanIn: 1, values, mode, scoreSeed: 0, scoreStream: "w" });
}

for (const bits of [8, 4, 2]) {
  test(`${bits}-bit: the forward weight is the per-channel quantization of the values, bit for bit`, () => {
    for (const shape of [
      [5, 7],
      [4, 3, 3, 3],
    ]) {
      tidy(() => {
        const values = testWeights(shape, bits * 10 + shape.length);
        const weight = weightOf(shape, values, { kind: "quantized", bits });
        const reference = quantizedReference(values, shape[0] as number, bits);
        const effective = weight.effective().toArray<"float32">();
        assertSameFloat32(effective, reference.weights, `${bits}-bit [${shape}]`);
        const { levels, scales } = weight.quantization() as { levels: Tensor; scales: Tensor };
        assert.deepEqual(scales.shape, [shape[0], ...shape.slice(1).map(() => 1)]);
        assert.deepEqual([...scales.toArray<"float32">()], [...reference.scales]);
        // +0 for the levels the reference rounds from -0: the file stores integers.
        assert.deepEqual(
          [...levels.toArray<"float32">()].map((level) => level + 0),
          [...reference.levels],
        );
        const top = largestLevel(bits);
        assert.ok(reference.levels.some((level) => Math.abs(level) === top));
        assert.equal(reference.scales[1], FLT_MIN, "a channel of zeros");
        weight.dispose();
      });
    }
  });
}

test("binary: sign(w) (+1 for 0 and -0) times the channel's mean |w| in bfloat16, bit for bit", () => {
  tidy(() => {
    const shape = [6, 2, 3, 3];
    const values = testWeights(shape, 3);
    const weight = weightOf(shape, values, { kind: "binary" });
    const effective = weight.effective().toArray<"float32">();
    const { levels, scales } = weight.quantization() as { levels: Tensor; scales: Tensor };
    const scale = scales.toArray<"float32">();
    const level = levels.toArray<"float32">();
    const per = values.length / 6;
    for (let c = 0; c < 6; c++) {
      let sum = 0;
      for (let i = c * per; i < (c + 1) * per; i++) sum += Math.abs(values[i] as number);
      const mean = sum / per;
      // A bfloat16 scale: its low 16 bits clear, within half a bfloat16 step (2^-8) of the mean.
      assert.equal(bfloat16(scale[c] as number), scale[c], `channel ${c}: a bfloat16`);
      const relative =
        mean === 0 ? (scale[c] as number) : Math.abs((scale[c] as number) / mean - 1);
      assert.ok(relative <= 2 ** -8, `channel ${c}: scale ${scale[c]} against mean |w| ${mean}`);
    }
    const expected = Float32Array.from(values, (v, i) => {
      const sign = v >= 0 ? 1 : -1;
      assert.equal(level[i], sign, `level ${i}`);
      return Math.fround(sign * (scale[Math.floor(i / per)] as number));
    });
    assertSameFloat32(effective, expected, "binary");
    assert.equal(expected[per], 0, "a channel of zeros computes with zeros");
    weight.dispose();
  });
});

test("quantized and binary layers train their values; the gradient passes straight through", () => {
  for (const mode of [{ kind: "quantized", bits: 4 }, { kind: "binary" }] as const) {
    tidy(() => {
      const values = Float32Array.from(randomValues(3 * 2 * 3 * 3, 11));
      const config = { inChannels: 2, outChannels: 3, kernel: 3, padding: 1, scoreSeed: 0 };
      const conv = new MaskedConv2d({ ...config, mode, values, scoreStream: "q" });
      assert.deepEqual(
        conv.namedParameters().map(([name]) => name),
        ["weight.values"],
      );
      assert.deepEqual(conv.namedBuffers(), []);
      // The same convolution, dense, on the quantized weight.
      const quantized = conv.weight.effective().toArray<"float32">();
      const dense = new MaskedConv2d({
        ...config,
        mode: { kind: "dense" },
        values: quantized,
        scoreStream: "d",
      });
      const x = tensor(Float32Array.from(randomValues(2 * 2 * 4 * 4, 12)), [2, 2, 4, 4]);
      const projection = tensor(Float32Array.from(randomValues(2 * 3 * 4 * 4, 13)), [2, 3, 4, 4]);
      const outputs = [conv, dense].map((layer) => {
        const y = layer.forward(x);
        y.mul(projection).sum().backward();
        return y.toArray<"float32">();
      });
      assertSameFloat32(outputs[0] as Float32Array, outputs[1] as Float32Array, mode.kind);
      const gradient = conv.weight.values.grad?.toArray<"float32">() as Float32Array;
      assertSameFloat32(
        gradient,
        dense.weight.values.grad?.toArray<"float32">() as Float32Array,
        `${mode.kind}: d loss / d values is d loss / d quantized weight`,
      );
      assert.ok(gradient.some((g) => g !== 0));
      conv.dispose();
      dense.dispose();
    });
  }
});

test("a quantized layer left alone gives the same weight on every call (values unchanged)", () => {
  tidy(() => {
    const values = Float32Array.from(randomValues(12, 2));
    const linear = new MaskedLinear({
      inFeatures: 4,
      outFeatures: 3,
      mode: { kind: "quantized", bits: 8 },
      values,
      scoreSeed: 0,
      scoreStream: "l",
    });
    const first = linear.weight.effective().toArray<"float32">();
    assertSameFloat32(linear.weight.effective().toArray<"float32">(), first, "second call");
    assertSameFloat32(linear.weight.values.toArray<"float32">(), values, "values");
    linear.dispose();
  });
});

for (const strategy of [
  { kind: "quantized", bits: 8 },
  { kind: "quantized", bits: 4 },
  { kind: "binary" },
]) {
  test(`${JSON.stringify(strategy)}: a small MLP trains, its loss falls`, async () => {
    const model = parseModelConfig({
      name: "mlp",
      hidden: [32],
      input: { channels: 1, height: 12, width: 12 },
      classes: 4,
    });
    const { model: network } = createPemnModel({
      model,
      strategy: parseWeightStrategy(strategy),
      keepFraction: 0.5,
      seed: 1,
    });
    try {
      const data = syntheticDataset({ count: 256, classes: 4, side: 12, seed: 2 });
      const result = await train({
        model: network,
        data: { train: data, validation: data, test: data },
        config: { epochs: 4, batchSize: 32, seed: 1, optimizer: { kind: "adamw", lr: 0.01 } },
        progress: "none",
      });
      const losses = result.history.map((record) => record.train_loss);
      assert.ok(
        (losses.at(-1) as number) < 0.7 * (losses[0] as number),
        `loss ${losses.map((loss) => loss.toFixed(3)).join(" -> ")}`,
      );
      assert.ok(result.test.accuracy > 0.5, `accuracy ${result.test.accuracy}`);
    } finally {
      network.dispose();
    }
  });
}
