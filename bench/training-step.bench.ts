/**
 * Full training steps (forward, masks, backward, AdamW; batch 64) of the paper's backbones,
 * through pemn and through a straightforward PyTorch edge-popup reference
 * (bench/reference/training_step.py), each model in fresh processes so peak memory is its own.
 * Goals: pemn >= 1.25x the reference's img/s, mask share <= 1%, peak memory <= 1.1x.
 * The reference runs as users run PyTorch (its default allocator settings).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { getThreads } from "../src/engine/index.js";
import type { Precision } from "../src/train/precision.js";
import { benchScript, referenceUnavailable, runReference } from "./python-reference.js";
import type { TrainingStepSpec } from "./training-step.worker.js";

const run = promisify(execFile);

interface ModelCase {
  name: string;
  /** pemn's model config (src/models); the reference builds the same network from it. */
  model: Record<string, unknown> & { input: { channels: number; height: number } };
  strategy: Record<string, unknown>;
}

const CIFAR = { channels: 3, height: 32, width: 32 };

export const MODEL_CASES: ModelCase[] = [
  {
    name: "ConvMixer-256/8, RP 1e-3",
    model: {
      name: "convmixer",
      dim: 256,
      depth: 8,
      kernel: 5,
      patch: 2,
      classes: 10,
      input: CIFAR,
    },
    strategy: { kind: "rp", ratio: 1e-3 },
  },
  {
    name: "CIFAR ResNet-32, mask",
    model: { name: "resnet", depth: 32, classes: 10, input: CIFAR },
    strategy: { kind: "mask" },
  },
  {
    name: "ViT dim 256 depth 6 patch 4, mask",
    model: {
      name: "vit",
      dim: 256,
      depth: 6,
      patch: 4,
      heads: 8,
      mlpRatio: 2,
      classes: 10,
      input: CIFAR,
    },
    strategy: { kind: "mask" },
  },
];

/** The reference script's spelling of a model config: square images of `size` pixels. */
function referenceModel({ input, ...fields }: ModelCase["model"]): Record<string, unknown> {
  return { ...fields, channels: input.channels, size: input.height };
}

interface StepFigures {
  img_per_s: number;
  mask_share: number;
  peak_rss_mb: number;
}

export interface TrainingStepRow {
  model: string;
  pemn: StepFigures;
  reference: StepFigures | null;
  speedRatio: number | null;
  memoryRatio: number | null;
}

async function runPemnWorker(spec: TrainingStepSpec): Promise<StepFigures> {
  const { stdout } = await run(
    process.execPath,
    [...benchScript("training-step.worker"), JSON.stringify(spec)],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout) as StepFigures;
}

const best = (a: StepFigures | null, b: StepFigures): StepFigures =>
  a === null || b.img_per_s > a.img_per_s ? b : a;

export async function benchTrainingSteps(options: {
  minSeconds: number;
  minIterations: number;
  rounds: number;
  /** The same on both sides (default: batch 64 on the CPU in fp32). */
  batch?: number;
  device?: string;
  precision?: Precision;
}): Promise<{ rows: TrainingStepRow[]; note: string | null }> {
  const { batch = 64, device = "cpu", precision = "fp32", ...timing } = options;
  const unavailable = await referenceUnavailable();
  const script = fileURLToPath(new URL("./reference/training_step.py", import.meta.url));
  const rows: TrainingStepRow[] = [];
  for (const model of MODEL_CASES) {
    let pemn: StepFigures | null = null;
    let reference: StepFigures | null = null;
    // Alternate the two: load from elsewhere then affects both alike.
    for (let round = 0; round < options.rounds; round++) {
      pemn = best(
        pemn,
        await runPemnWorker({
          model: model.model,
          strategy: model.strategy,
          batch,
          device,
          precision,
          ...timing,
        }),
      );
      if (!unavailable) {
        const spec = {
          model: referenceModel(model.model),
          batch,
          threads: getThreads(),
          // The reference takes torch's device names: "cuda:1" as is, "cuda" as the first GPU.
          device,
          precision,
          ...timing,
        };
        reference = best(reference, await runReference<StepFigures>(script, spec));
      }
    }
    const ours = pemn as StepFigures;
    rows.push({
      model: model.name,
      pemn: ours,
      reference,
      speedRatio: reference ? ours.img_per_s / reference.img_per_s : null,
      memoryRatio: reference ? ours.peak_rss_mb / reference.peak_rss_mb : null,
    });
  }
  return { rows, note: unavailable };
}
