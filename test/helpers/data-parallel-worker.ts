// One rank (or the single-process reference) of a data-parallel training test, run as a child
// process by test/train/data-parallel.test.ts. argv[2] is a JSON Job; the last stdout line is
// the JSON outcome: per-epoch losses, the trained tensors, masks, and a digest of the fixed weights.
import { createHash } from "node:crypto";
import { CollectiveError, ProcessGroup } from "../../src/engine/index.js";
import { createPemnModel, parseModelConfig } from "../../src/models/index.js";
import { BatchNorm, type Layer, MaskedWeight, refreshMasks } from "../../src/nn/index.js";
import { trainInDirectory } from "../../src/run/train-in-directory.js";
import { DataParallel } from "../../src/train/data-parallel.js";
import { train } from "../../src/train/train.js";
import { syntheticDataset, TinyMaskedMlp } from "../train/helpers.js";

interface Job {
  /** null: one process without a process group (the reference). */
  readonly rank: number | null;
  readonly worldSize: number;
  readonly port: number;
  readonly syncBatchNorm: boolean;
  /** The test's masked MLP (default) or a small ConvMixer (BatchNorm after every conv). */
  readonly model?: "mlp" | "convmixer";
  readonly runDir?: string;
  readonly resume?: boolean;
  /** This rank kills itself (SIGKILL) after this epoch's checkpoint. */
  readonly dieAfterEpoch?: number;
}

const job = JSON.parse(process.argv[2] as string) as Job;

const data = {
  train: syntheticDataset({ count: 128, classes: 3, side: 4, seed: 1 }),
  validation: syntheticDataset({ count: 30, classes: 3, side: 4, seed: 2 }),
  test: syntheticDataset({ count: 45, classes: 3, side: 4, seed: 3 }),
};
const config = {
  epochs: 3,
  batchSize: 64, // the global batch: 2 ranks take 32 each
  optimizer: { kind: "sgd", lr: 0.2, momentum: 0.9 },
  schedule: { kind: "cosine", warmupEpochs: 0.5 },
  seed: 7,
} as const;

function buildModel(): Layer {
  if (job.model !== "convmixer")
    return new TinyMaskedMlp({ inputs: 16, hidden: 8, classes: 3, seed: 4 });
  const convMixer = parseModelConfig({
    name: "convmixer",
    input: { channels: 1, height: 4, width: 4 },
    classes: 3,
    dim: 8,
    depth: 1,
    kernel: 1, // the 2x2 feature map (input 4 / patch 2) takes no larger kernel
    patch: 2,
  });
  return createPemnModel({
    model: convMixer,
    strategy: { kind: "mask" },
    keepFraction: 0.5,
    seed: 4,
  }).model;
}
const model = buildModel();
const group =
  job.rank === null
    ? null
    : ProcessGroup.init({
        rank: job.rank,
        worldSize: job.worldSize,
        masterAddr: "127.0.0.1",
        masterPort: job.port,
        timeoutMs: 5000,
      });
const dataParallel = group
  ? new DataParallel({ group, syncBatchNorm: job.syncBatchNorm })
  : undefined;

try {
  const options = {
    model,
    data,
    config,
    progress: "none",
    dataParallel,
    onEpoch: (record: { readonly epoch: number }) => {
      if (record.epoch === job.dieAfterEpoch) process.kill(process.pid, "SIGKILL");
    },
  } as const;
  const result =
    job.runDir === undefined
      ? await train({ ...options, onEpoch: ({ record }) => options.onEpoch(record) })
      : await trainInDirectory({ ...options, dir: job.runDir, resume: job.resume });
  refreshMasks(model);
  const weights = model
    .namedModules()
    .flatMap(([name, module]) => (module instanceof MaskedWeight ? [[name, module] as const] : []));
  const fixed = createHash("sha256");
  for (const [, weight] of weights)
    fixed.update(new Uint8Array(weight.values.toFloat32Array().buffer));
  process.stdout.write(
    `${JSON.stringify({
      losses: result.history.map((epoch) => epoch.train_loss),
      history: result.history,
      testAccuracy: result.test.accuracy,
      parameters: Object.fromEntries(
        model.namedParameters().map(([name, t]) => [name, Array.from(t.toFloat32Array())]),
      ),
      masks: Object.fromEntries(
        weights.map(([name, weight]) => [name, Array.from(weight.mask()?.toFloat32Array() ?? [])]),
      ),
      fixedWeightsDigest: fixed.digest("hex"),
      runningMean: model
        .namedModules()
        .flatMap(([, module]) =>
          module instanceof BatchNorm ? Array.from(module.runningMean.toFloat32Array()) : [],
        ),
      bytesPerStep: dataParallel?.bytesPerStep ?? 0,
    })}\n`,
  );
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({
      error: error instanceof Error ? error.name : String(error),
      message: error instanceof Error ? error.message : "",
      op: error instanceof CollectiveError ? error.op : null,
      lostRank: error instanceof CollectiveError ? error.lostRank : null,
    })}\n`,
  );
} finally {
  group?.destroy();
}
