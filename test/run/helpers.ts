import { after, before } from "node:test";
import { parseRunConfig, type RunConfig, type RunConfigInput } from "../../src/run/index.js";
import { writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";

/**
 * A synthetic MNIST folder for a test file's runs (made before its tests, removed after),
 * and the config of a tiny MLP run on it: one epoch of 250 images, 50 held out.
 */
export function tinyMnistRuns(): {
  readonly dir: string;
  config(overrides?: Partial<RunConfigInput>): RunConfig;
} {
  let work: ReturnType<typeof temporaryDirectory>;
  before(() => {
    work = temporaryDirectory();
    writeSyntheticMnist(work.dir, 300, 60);
  });
  after(() => work.remove());
  return {
    get dir() {
      return work.dir;
    },
    config: (overrides = {}) =>
      parseRunConfig({
        model: { name: "mlp", hidden: [16] },
        data: { source: { name: "mnist", dir: work.dir }, validation: { size: { count: 50 } } },
        train: { epochs: 1, batchSize: 50, optimizer: { kind: "adamw", lr: 0.05 } },
        seed: 7,
        ...overrides,
      }),
  };
}
