/**
 * A self-contained training demo for the engine: an MLP learns to tell apart Gaussian
 * clusters (random data, seeded). It shows the engine end to end (forward, backward,
 * in-place updates, scopes) until the PEMN trainer takes over this role.
 */
import { F, keep, manualSeed, noGrad, randint, randn, type Tensor, tidy } from "../engine/index.js";

export interface MlpDemoOptions {
  features: number;
  hidden: number;
  classes: number;
  samples: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
}

export const MLP_DEMO_DEFAULTS: MlpDemoOptions = {
  features: 64,
  hidden: 128,
  classes: 10,
  samples: 8192,
  epochs: 5,
  batchSize: 128,
  learningRate: 0.05,
  seed: 0,
};

export function runMlpDemo(
  options: MlpDemoOptions,
  onEpoch: (report: EpochReport) => void,
): EpochReport {
  manualSeed(options.seed);
  const { features, hidden, classes, samples } = options;
  const [inputs, labels, w1, w2] = tidy(() => {
    const centres = randn([classes, features]);
    const labels = randint(0, classes, [samples]);
    const inputs = centres.indexSelect(0, labels).add(randn([samples, features]).mul(1.5));
    const w1 = randn([hidden, features])
      .mul(Math.sqrt(2 / features))
      .setRequiresGrad();
    const w2 = randn([classes, hidden])
      .mul(Math.sqrt(2 / hidden))
      .setRequiresGrad();
    return [inputs, labels, w1, w2].map(keep);
  }) as [Tensor, Tensor, Tensor, Tensor];
  let last: EpochReport | undefined;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const start = performance.now();
      let lossSum = 0;
      let correct = 0;
      for (let offset = 0; offset < samples; offset += options.batchSize) {
        const size = Math.min(options.batchSize, samples - offset);
        tidy(() => {
          const x = inputs.slice(0, offset, offset + size);
          const y = labels.slice(0, offset, offset + size);
          const logits = F.linear(F.relu(F.linear(x, w1)), w2);
          const loss = F.crossEntropy(logits, y);
          loss.backward();
          noGrad(() => {
            for (const w of [w1, w2]) {
              w.add_(w.grad as Tensor, -options.learningRate);
              w.clearGrad();
            }
          });
          lossSum += loss.item() * size;
          correct += logits.argmax(1).eq(y).sum().item();
        });
      }
      last = {
        epoch,
        loss: lossSum / samples,
        accuracy: correct / samples,
        samplesPerSecond: samples / ((performance.now() - start) / 1000),
      };
      onEpoch(last);
    }
  } finally {
    for (const t of [inputs, labels, w1, w2]) t.dispose();
  }
  if (!last) throw new RangeError("epochs must be at least 1");
  return last;
}
