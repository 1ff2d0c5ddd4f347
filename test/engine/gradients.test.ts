import { test } from "node:test";
import { F, noGrad, type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { assertClose, randomValues } from "../helpers/test-random.js";

interface Input {
  values: Float64Array;
  shape: number[];
}

/**
 * Checks backward() of loss = sum(f(inputs) * R) against central finite differences in
 * float64, for every element of every input.
 */
function checkGradients(name: string, f: (inputs: Tensor[]) => Tensor, inputs: Input[]): void {
  tidy(() => {
    const weightsOf = (out: Tensor) => tensor(randomValues(out.size, 99), out.shape);
    const leaves = inputs.map((input) => tensor(input.values, input.shape).setRequiresGrad());
    const output = f(leaves);
    const projection = weightsOf(output);
    output.mul(projection).sum().backward();
    const lossAt = (values: Float64Array[]) =>
      noGrad(() =>
        tidy(() =>
          f(values.map((v, i) => tensor(v, inputs[i]?.shape)))
            .mul(projection)
            .sum()
            .item(),
        ),
      );
    const h = 1e-6;
    inputs.forEach((input, which) => {
      const analytic = leaves[which]?.grad?.toArray() as Float64Array;
      const numeric = new Float64Array(input.values.length);
      for (let k = 0; k < input.values.length; k++) {
        const shifted = (delta: number) =>
          inputs.map((x, i) => {
            const values = x.values.slice();
            if (i === which) values[k] = (values[k] as number) + delta;
            return values;
          });
        numeric[k] = (lossAt(shifted(h)) - lossAt(shifted(-h))) / (2 * h);
      }
      assertClose(analytic, numeric, 1e-6, `${name}: gradient of input ${which}`);
    });
  });
}

const input = (shape: number[], seed: number, scale = 1): Input => ({
  values: randomValues(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ).map((v) => v * scale),
  shape,
});

test("conv2d gradient (dense, strided)", () => {
  checkGradients(
    "conv2d",
    ([x, w]) => F.conv2d(x as Tensor, w as Tensor, { stride: 2, padding: 1 }),
    [input([2, 3, 5, 5], 1), input([4, 3, 3, 3], 2)],
  );
});

test("conv2d gradient (depthwise groups, same padding)", () => {
  checkGradients(
    "depthwise",
    ([x, w]) => F.conv2d(x as Tensor, w as Tensor, { padding: "same", groups: 3 }),
    [input([2, 3, 4, 4], 3), input([3, 1, 3, 3], 4)],
  );
});

test("linear gradient", () => {
  checkGradients("linear", ([x, w, b]) => F.linear(x as Tensor, w as Tensor, b as Tensor), [
    input([3, 5], 5),
    input([4, 5], 6),
    input([4], 7),
  ]);
});

test("batch norm gradient (training mode, affine)", () => {
  checkGradients(
    "batch norm",
    ([x, g, b]) =>
      F.batchNorm(x as Tensor, { weight: g as Tensor, bias: b as Tensor, training: true }),
    [input([4, 3, 2, 2], 8), input([3], 9), input([3], 10)],
  );
});

test("layer norm gradient", () => {
  checkGradients(
    "layer norm",
    ([x, g, b]) => F.layerNorm(x as Tensor, [6], { weight: g as Tensor, bias: b as Tensor }),
    [input([2, 3, 6], 11, 3), input([6], 12), input([6], 13)],
  );
});

test("GELU gradient", () => {
  checkGradients("gelu", ([x]) => F.gelu(x as Tensor), [input([40], 14, 4)]);
});

test("cross-entropy gradient with label smoothing", () => {
  const labels = tensor(new BigInt64Array([2n, 0n, 1n]), [3]);
  checkGradients(
    "cross-entropy",
    ([z]) => F.crossEntropy(z as Tensor, labels, { labelSmoothing: 0.1 }),
    [input([3, 4], 15, 2)],
  );
});
