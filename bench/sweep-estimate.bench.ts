import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expandSweep } from "../src/experiments/expand-sweep.js";
import { planSweep } from "../src/experiments/run-sweep.js";
import { parseSweepSpec, type SweepSpecInput } from "../src/experiments/sweep-spec.js";

/*
 * The sweep's time model (src/experiments/estimate-run.ts) against a real sweep: a few small
 * Fashion-MNIST runs of different backbones and strategies, each trained, validated, tested,
 * packed and inspected as `pemn sweep` does, timed as a whole. The ratio measured / estimated
 * is the figure (goal: within 0.67-1.5, so that `--dry-run` and the time left are believable).
 */

export interface EstimateFigures {
  readonly runs: number;
  readonly estimatedSeconds: number;
  readonly measuredSeconds: number;
  readonly ratio: number;
}

const EPOCHS = { quick: 1, full: 2 };

const spec = (epochs: number): SweepSpecInput => ({
  name: "estimate-check",
  title: "The sweep time model against real runs",
  description: "Small Fashion-MNIST runs timed against estimate-run.ts's model.",
  figure: "representation",
  base: {
    keepFraction: 0.5,
    data: {
      source: { name: "fashion-mnist" },
      validation: { size: { count: 1000 } },
      trainLimit: 2000,
    },
    train: { epochs, batchSize: 128, schedule: { kind: "piecewise-linear" } },
  },
  axes: {
    backbone: [
      {
        label: "ConvMixer-64/2",
        config: { model: { name: "convmixer", dim: 64, depth: 2, kernel: 5, patch: 4 } },
      },
      { label: "MLP-256", config: { model: { name: "mlp", hidden: [256] } } },
    ],
    method: [
      { label: "mask", config: { strategy: { kind: "mask" } } },
      {
        label: "dense",
        config: { strategy: { kind: "dense" }, train: { optimizer: { kind: "adamw", lr: 0.001 } } },
      },
    ],
  },
});

export function benchSweepEstimate(quick: boolean): EstimateFigures {
  const parsed = parseSweepSpec(spec(quick ? EPOCHS.quick : EPOCHS.full));
  const runs = expandSweep(parsed);
  const dir = mkdtempSync(join(tmpdir(), "pemn-estimate-"));
  try {
    const specFile = join(dir, "spec.json");
    writeFileSync(specFile, JSON.stringify(parsed));
    const estimated = planSweep({ runs, resultsDir: null, jobs: 1, cores: 2, shard: null }).seconds;
    const started = performance.now();
    const sweep = spawnSync(
      process.execPath,
      [
        fileURLToPath(new URL("../bin/pemn.js", import.meta.url)),
        "sweep",
        specFile,
        "--out",
        join(dir, "out"),
        "--cores",
        "2",
      ],
      { encoding: "utf8" },
    );
    const measured = (performance.now() - started) / 1000;
    if (sweep.status !== 0) throw new Error(`pemn sweep failed:\n${sweep.stderr}`);
    return {
      runs: runs.length,
      estimatedSeconds: estimated,
      measuredSeconds: measured,
      ratio: measured / estimated,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
