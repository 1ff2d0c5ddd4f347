/**
 * Data-parallel scaling on this machine: 2 ranks x 1 thread against 1 rank x 1 thread, one
 * full training step of batch 64 in total (32 per rank), ConvMixer-256/8 RP 1e-3 (goal:
 * efficiency = throughput ratio / 2 >= 0.9). Also the bytes each rank all-reduces per step
 * against what DDP would send for the same network trained dense (every weight's gradient).
 */
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { createPemnModel, parseModelConfig } from "../src/models/index.js";
import { benchScript } from "./python-reference.js";
import { MODEL_CASES } from "./training-step.bench.js";
import type { TrainingStepSpec } from "./training-step.worker.js";

const run = promisify(execFile);
const BATCH = 64;

interface RankFigures {
  img_per_s: number;
  all_reduced_bytes_per_step: number;
  trained_values: number;
}

export interface DistributedFigures {
  model: string;
  singleImgPerS: number;
  dataParallelImgPerS: number;
  throughputRatio: number;
  efficiency: number;
  allReducedBytesPerStep: number;
  denseDdpBytesPerStep: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

function runRank(spec: TrainingStepSpec): Promise<RankFigures> {
  return run(process.execPath, [...benchScript("training-step.worker"), JSON.stringify(spec)], {
    maxBuffer: 1 << 20,
    env: { ...process.env, PEMN_THREADS: "1" },
  }).then(({ stdout }) => JSON.parse(stdout) as RankFigures);
}

/** Gradient bytes of the same network trained dense: what DDP all-reduces per step. */
function denseBytes(modelConfig: unknown): number {
  const { model } = createPemnModel({
    model: parseModelConfig(modelConfig),
    strategy: { kind: "dense" },
    keepFraction: 1,
    seed: 0,
  });
  try {
    return model.parameters().reduce((sum, t) => sum + t.size * 4, 0);
  } finally {
    model.dispose();
  }
}

export async function benchDistributed(options: {
  minIterations: number;
  rounds: number;
}): Promise<DistributedFigures> {
  const model = MODEL_CASES[0] as (typeof MODEL_CASES)[number];
  // Every rank must time the same steps: a fixed count, no time floor.
  const base = { model: model.model, strategy: model.strategy, batch: BATCH, minSeconds: 0 };
  const steps = { ...base, minIterations: options.minIterations };
  let single = 0;
  let parallel: RankFigures | null = null;
  // Alternated, best of each: load from elsewhere then affects both alike.
  for (let round = 0; round < options.rounds; round++) {
    single = Math.max(single, (await runRank(steps)).img_per_s);
    const port = await freePort();
    const ranks = await Promise.all(
      [0, 1].map((rank) => runRank({ ...steps, group: { rank, worldSize: 2, port } })),
    );
    // The step ends when the slower rank's all-reduce does.
    const slower = ranks.reduce((a, b) => (a.img_per_s <= b.img_per_s ? a : b));
    if (parallel === null || slower.img_per_s > parallel.img_per_s) parallel = slower;
  }
  const figures = parallel as RankFigures;
  return {
    model: model.name,
    singleImgPerS: single,
    dataParallelImgPerS: figures.img_per_s,
    throughputRatio: figures.img_per_s / single,
    efficiency: figures.img_per_s / single / 2,
    allReducedBytesPerStep: figures.all_reduced_bytes_per_step,
    denseDdpBytesPerStep: denseBytes(model.model),
  };
}
