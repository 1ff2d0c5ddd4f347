import type { Command } from "commander";
import { MLP_DEMO_DEFAULTS, runMlpDemo } from "../examples/mlp-demo.js";
import { integer } from "./arguments.js";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "train a small MLP on seeded random clusters: a quick end-to-end check of the engine",
    )
    .option("--epochs <n>", "epochs", integer({ min: 1 }), MLP_DEMO_DEFAULTS.epochs)
    // 0 is a seed like any other, and the default.
    .option("--seed <n>", "seed", integer({ min: 0 }), MLP_DEMO_DEFAULTS.seed)
    .action((options: { epochs: number; seed: number }) => {
      const final = runMlpDemo({ ...MLP_DEMO_DEFAULTS, ...options }, (r) =>
        console.log(
          `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, accuracy ${(100 * r.accuracy).toFixed(1)}%, ${Math.round(r.samplesPerSecond)} samples/s`,
        ),
      );
      console.log(`demo finished: training accuracy ${(100 * final.accuracy).toFixed(1)}%`);
    });
}
