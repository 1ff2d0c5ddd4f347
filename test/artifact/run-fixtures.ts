import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseRunConfig, type RunConfigInput, runTraining } from "../../src/run/index.js";
import { idxBytes } from "../data/helpers.js";

/** MNIST-format files where class c lights up row block c: learnable in an epoch. */
export function writeSyntheticMnist(dir: string, trainCount: number, testCount: number): void {
  for (const [prefix, count] of [
    ["train", trainCount],
    ["t10k", testCount],
  ] as const) {
    const pixels = new Uint8Array(count * 784);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = (i * 7 + (prefix === "train" ? 0 : 3)) % 10;
      labels[i] = label;
      for (let p = 0; p < 784; p++) pixels[i * 784 + p] = (p * 31 + i * 17) % 64;
      for (let p = label * 56; p < label * 56 + 56; p++) pixels[i * 784 + p] = 255;
    }
    writeFileSync(
      join(dir, `${prefix}-images-idx3-ubyte`),
      idxBytes(0x803, [count, 28, 28], pixels),
    );
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idxBytes(0x801, [count], labels));
  }
}

/**
 * Trains a run briefly on the synthetic MNIST files in `dataDir` (one epoch unless
 * `overrides` say otherwise) and returns its parsed config.
 */
export async function trainTinyRun(
  dataDir: string,
  runDir: string,
  overrides: Partial<RunConfigInput>,
) {
  const config = parseRunConfig({
    model: { name: "mlp", hidden: [24] },
    data: { source: { name: "mnist", dir: dataDir }, validation: { size: { count: 50 } } },
    train: { epochs: 1, batchSize: 50, optimizer: { kind: "adamw", lr: 0.05 } },
    seed: 5,
    ...overrides,
  });
  await runTraining(config, { runDir, progress: "none", version: "test" });
  return config;
}
