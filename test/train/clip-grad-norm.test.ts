import assert from "node:assert/strict";
import { test } from "node:test";
import { type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { clipGradNorm } from "../../src/train/clip-grad-norm.js";
import { assertClose } from "../helpers/test-random.js";

function withGradients(gradients: number[][], body: (parameters: Tensor[]) => void): void {
  tidy(() => {
    const parameters = gradients.map((gradient) =>
      tensor(new Float32Array(gradient.length)).setRequiresGrad(true),
    );
    parameters.forEach((parameter, i) => {
      parameter
        .mul(tensor(Float32Array.from(gradients[i] as number[])))
        .sum()
        .backward();
    });
    body(parameters);
  });
}

test("gradients above the norm are scaled to it, together", () => {
  // Global norm: sqrt(3^2 + 4^2 + 12^2) = 13.
  withGradients([[3, 4], [12]], (parameters) => {
    const norm = clipGradNorm(parameters, 6.5);
    assert.ok(Math.abs(norm - 13) < 1e-5);
    const scale = 6.5 / (13 + 1e-6);
    assertClose(parameters[0]?.grad?.toArray() as Float32Array, [3 * scale, 4 * scale], 1e-6);
    assertClose(parameters[1]?.grad?.toArray() as Float32Array, [12 * scale], 1e-6);
  });
});

test("gradients within the norm are left as they are; no gradient at all is norm 0", () => {
  withGradients([[3, 4]], (parameters) => {
    assert.ok(Math.abs(clipGradNorm(parameters, 100) - 5) < 1e-6);
    assert.deepEqual(parameters[0]?.grad?.toArray(), Float32Array.from([3, 4]));
  });
  tidy(() => assert.equal(clipGradNorm([tensor([1, 2]).setRequiresGrad(true)], 1), 0));
});
