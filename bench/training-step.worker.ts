/**
 * One model's full training step (forward, masks, backward, AdamW) in a process of its
 * own, so its peak resident memory is its own. Argument: JSON TrainingStepSpec.
 * Prints JSON { img_per_s, mask_share, peak_rss_mb, all_reduced_bytes_per_step }. With
 * `group`, the process is one rank of a data-parallel step: its share of the batch, the
 * trained tensors' gradients all-reduced (bench/distributed.bench.ts).
 */
import {
  F,
  isCuda,
  keep,
  manualSeed,
  noGrad,
  ProcessGroup,
  randint,
  randn,
  resolveDevice,
  synchronize,
  tidy,
} from "../src/engine/index.js";
import { createPemnModel, parseModelConfig } from "../src/models/index.js";
import { MaskedWeight, refreshMasks } from "../src/nn/index.js";
import { AdamW } from "../src/train/adamw.js";
import { DataParallel } from "../src/train/data-parallel.js";
import { type Precision, StepPrecision } from "../src/train/precision.js";
import { parseWeightStrategy } from "../src/weights/index.js";
import { measure, measureQueued } from "./timing.js";

export interface TrainingStepSpec {
  model: unknown;
  strategy: unknown;
  /** The global batch (split across the group's ranks). */
  batch: number;
  minSeconds: number;
  minIterations: number;
  /** Data-parallel rank; every rank must then time the same steps, so give minSeconds 0. */
  group?: { rank: number; worldSize: number; port: number };
  /** "cpu" (default), "cuda", ... */
  device?: string;
  precision?: Precision;
}

const spec = JSON.parse(process.argv[2] as string) as TrainingStepSpec;
manualSeed(spec.group?.rank ?? 0);
const dataParallel = spec.group
  ? new DataParallel({
      group: ProcessGroup.init({
        ...spec.group,
        masterAddr: "127.0.0.1",
        masterPort: spec.group.port,
        timeoutMs: 120_000,
      }),
    })
  : null;
const localBatch = spec.batch / (dataParallel?.worldSize ?? 1);
const modelConfig = parseModelConfig(spec.model);
const { model } = createPemnModel({
  model: modelConfig,
  strategy: parseWeightStrategy(spec.strategy),
  keepFraction: 0.5,
  seed: 0,
});
const device = resolveDevice(spec.device ?? "cpu");
model.to(device);
const precision = new StepPrecision(spec.precision ?? "fp32", device);
const optimizer = new AdamW(model.namedParameters(), {
  kind: "adamw",
  lr: 0.01,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0.005,
});
const { channels, height, width } = modelConfig.input;
const images = keep(
  tidy(() => {
    // As the trainer gives it: in the layout the model asks for.
    return randn([localBatch, channels, height, width])
      .toDevice(device)
      .contiguous(model.inputMemoryFormat);
  }),
);
const labels = keep(tidy(() => randint(0, modelConfig.classes, [localBatch]).toDevice(device)));
const parameters = model.parameters();

const step = () =>
  tidy(() => {
    dataParallel?.startStep();
    refreshMasks(model);
    const loss = precision.scaled(
      precision.forward(() => F.crossEntropy(model.forward(images), labels)),
    );
    if (dataParallel) {
      loss.mul(dataParallel.lossScale(localBatch, spec.batch)).backward();
      dataParallel.reduceGradients(parameters);
    } else loss.backward();
    if (precision.unscaleFinite(parameters)) optimizer.step();
    optimizer.zeroGrad();
  });
const time = (fn: () => void, minSeconds: number) =>
  isCuda(device)
    ? measureQueued(fn, () => synchronize(device), minSeconds)
    : measure(fn, minSeconds, spec.minIterations);
const stepSeconds = time(step, spec.minSeconds);
const maskedWeights = model
  .namedModules()
  .flatMap(([, m]) => (m instanceof MaskedWeight ? [m] : []));
// What the masks cost per step: the batched refresh plus each layer's straight-through product.
const maskSeconds = time(
  () =>
    tidy(() => {
      noGrad(() => {
        for (const weight of maskedWeights) weight.scores?.mul_(1); // in place: the masks go stale
      });
      refreshMasks(model);
      for (const weight of maskedWeights) weight.effective();
    }),
  Math.min(1, spec.minSeconds),
);
console.log(
  JSON.stringify({
    img_per_s: spec.batch / stepSeconds,
    mask_share: maskSeconds / stepSeconds,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    all_reduced_bytes_per_step: dataParallel?.bytesPerStep ?? 0,
    trained_values: parameters.reduce((sum, t) => sum + t.size, 0),
  }),
);
dataParallel?.group.destroy();
