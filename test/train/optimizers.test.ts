import assert from "node:assert/strict";
import { test } from "node:test";
import { keep, liveTensorCount, type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { createOptimizer } from "../../src/train/create-optimizer.js";
import type { Optimizer } from "../../src/train/optimizer.js";
import { optimizerConfigSchema } from "../../src/train/optimizer-config.js";
import { assertClose, randomValues } from "../helpers/test-random.js";

const SIZE = 12;
const STEPS = 6;
const initial = Float32Array.from(randomValues(SIZE, 1));
/** The gradient of step t, rounded to float32 as the engine will hold it. */
const gradients = Array.from({ length: STEPS }, (_, t) =>
  Array.from(Float32Array.from(randomValues(SIZE, 100 + t))),
);
const rates = [0.01, 0.02, 0.05, 0.03, 0.01, 0.005];

function makeParameter(): Tensor {
  return keep(tensor(initial, [3, 4]).setRequiresGrad(true));
}

/** Sets p.grad to `gradient` through a backward pass of sum(p * g). */
function setGradient(parameter: Tensor, gradient: readonly number[]): void {
  tidy(() =>
    parameter
      .mul(tensor(Float32Array.from(gradient), [3, 4]))
      .sum()
      .backward(),
  );
}

function runSteps(optimizer: Optimizer, parameter: Tensor, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    setGradient(parameter, gradients[t] as number[]);
    optimizer.learningRate = rates[t] as number;
    optimizer.step();
    optimizer.zeroGrad();
  }
}

/** torch.optim.AdamW written out in float64. */
function referenceAdamW(betas: [number, number], eps: number, weightDecay: number): number[] {
  const p = Array.from(initial);
  const m = new Array<number>(SIZE).fill(0);
  const v = new Array<number>(SIZE).fill(0);
  for (let t = 1; t <= STEPS; t++) {
    const lr = rates[t - 1] as number;
    const g = gradients[t - 1] as number[];
    for (let i = 0; i < SIZE; i++) {
      p[i] = (p[i] as number) * (1 - lr * weightDecay);
      m[i] = betas[0] * (m[i] as number) + (1 - betas[0]) * (g[i] as number);
      v[i] = betas[1] * (v[i] as number) + (1 - betas[1]) * (g[i] as number) ** 2;
      const denominator = Math.sqrt(v[i] as number) / Math.sqrt(1 - betas[1] ** t) + eps;
      p[i] = (p[i] as number) - (lr / (1 - betas[0] ** t)) * ((m[i] as number) / denominator);
    }
  }
  return p;
}

/** torch.optim.SGD (dampening 0) written out in float64. */
function referenceSgd(momentum: number, nesterov: boolean, weightDecay: number): number[] {
  const p = Array.from(initial);
  const buffer: number[] = [];
  for (let t = 0; t < STEPS; t++) {
    const g = gradients[t] as number[];
    for (let i = 0; i < SIZE; i++) {
      let d = (g[i] as number) + weightDecay * (p[i] as number);
      if (momentum !== 0) {
        buffer[i] = t === 0 ? d : momentum * (buffer[i] as number) + d;
        d = nesterov ? d + momentum * (buffer[i] as number) : (buffer[i] as number);
      }
      p[i] = (p[i] as number) - (rates[t] as number) * d;
    }
  }
  return p;
}

const cases = [
  {
    config: { kind: "adamw", lr: 0.01, weightDecay: 0.05 },
    expected: () => referenceAdamW([0.9, 0.999], 1e-8, 0.05),
  },
  {
    config: { kind: "adamw", lr: 0.01, betas: [0.8, 0.99], eps: 1e-3, weightDecay: 0 },
    expected: () => referenceAdamW([0.8, 0.99], 1e-3, 0),
  },
  { config: { kind: "sgd", lr: 0.1 }, expected: () => referenceSgd(0, false, 0) },
  {
    config: { kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
    expected: () => referenceSgd(0.9, false, 5e-4),
  },
  {
    config: { kind: "sgd", lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
    expected: () => referenceSgd(0.9, true, 5e-4),
  },
] as const;

for (const { config, expected } of cases) {
  test(`${JSON.stringify(config)} follows PyTorch's update rule`, () => {
    const parameter = makeParameter();
    const optimizer = createOptimizer(optimizerConfigSchema.parse(config), [["p", parameter]]);
    runSteps(optimizer, parameter, 0, STEPS);
    assertClose(parameter.toArray() as Float32Array, expected(), 2e-6, JSON.stringify(config));
    optimizer.dispose();
    parameter.dispose();
  });
}

test("exported then imported state continues bit for bit like an uninterrupted optimizer", () => {
  for (const config of [
    { kind: "adamw", lr: 0.01 },
    { kind: "sgd", lr: 0.1, momentum: 0.9, nesterov: true },
  ] as const) {
    const parsed = optimizerConfigSchema.parse(config);
    const straight = makeParameter();
    const straightOptimizer = createOptimizer(parsed, [["p", straight]]);
    runSteps(straightOptimizer, straight, 0, STEPS);

    const first = makeParameter();
    const firstOptimizer = createOptimizer(parsed, [["p", first]]);
    runSteps(firstOptimizer, first, 0, 3);
    const second = keep(first.detach().clone().setRequiresGrad(true));
    const secondOptimizer = createOptimizer(parsed, [["p", second]]);
    secondOptimizer.importState(firstOptimizer.exportState());
    firstOptimizer.dispose(); // the import made copies
    runSteps(secondOptimizer, second, 3, STEPS);

    assert.deepEqual(second.toArray(), straight.toArray(), config.kind);
    assert.equal(secondOptimizer.exportState().parameters[0]?.steps, STEPS);
    for (const t of [straight, first, second]) t.dispose();
    straightOptimizer.dispose();
    secondOptimizer.dispose();
  }
});

test("parameters without a gradient are skipped and their step count stays", () => {
  const used = makeParameter();
  const unused = makeParameter();
  const optimizer = createOptimizer(optimizerConfigSchema.parse({ kind: "adamw", lr: 0.1 }), [
    ["used", used],
    ["unused", unused],
  ]);
  runSteps(optimizer, used, 0, 2);
  assert.deepEqual(unused.toArray(), initial);
  const steps = optimizer.exportState().parameters.map((entry) => [entry.name, entry.steps]);
  assert.deepEqual(steps, [
    ["used", 2],
    ["unused", 0],
  ]);
  assert.deepEqual(Object.keys(optimizer.exportState().parameters[1]?.slots ?? {}), []);
  optimizer.dispose();
  used.dispose();
  unused.dispose();
});

test("importState names the parameter and slot that do not fit", () => {
  const parameter = makeParameter();
  const optimizer = createOptimizer(optimizerConfigSchema.parse({ kind: "adamw", lr: 0.1 }), [
    ["layer.scores", parameter],
  ]);
  tidy(() => {
    const wrongShape = tensor(new Float32Array(6), [2, 3]);
    assert.throws(
      () =>
        optimizer.importState({
          kind: "adamw",
          parameters: [{ name: "layer.scores", steps: 1, slots: { exp_avg: wrongShape } }],
        }),
      /"layer\.scores": slot exp_avg is float32 \[2, 3\], the parameter is float32 \[3, 4\]/,
    );
    assert.throws(
      () => optimizer.importState({ kind: "sgd", parameters: [] }),
      /optimizer state is for sgd, this optimizer is adamw/,
    );
    assert.throws(
      () => optimizer.importState({ kind: "adamw", parameters: [] }),
      /lacks parameter "layer\.scores"/,
    );
    assert.throws(
      () =>
        optimizer.importState({
          kind: "adamw",
          parameters: [
            { name: "layer.scores", steps: 0, slots: {} },
            { name: "other", steps: 0, slots: {} },
          ],
        }),
      /holds parameter "other", which the model does not have/,
    );
  });
  optimizer.dispose();
  parameter.dispose();
});

test("steps leak no tensors and dispose() frees the state", () => {
  const parameter = makeParameter();
  const before = liveTensorCount();
  const optimizer = createOptimizer(optimizerConfigSchema.parse({ kind: "adamw", lr: 0.1 }), [
    ["p", parameter],
  ]);
  runSteps(optimizer, parameter, 0, 2);
  assert.equal(liveTensorCount(), before + 2, "exp_avg and exp_avg_sq stay");
  runSteps(optimizer, parameter, 2, STEPS);
  assert.equal(liveTensorCount(), before + 2);
  optimizer.dispose();
  assert.equal(liveTensorCount(), before);
  parameter.dispose();
});
