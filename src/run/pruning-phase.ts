import { maskedLayout, maskedWeightsOf } from "../models/index.js";
import type { Layer, MaskedWeight } from "../nn/index.js";
import type { DataParallel, ProgressMode, TrainData } from "../train/index.js";
import { flattenedSize, prunedPayload, solvePruningMasks } from "../weights/index.js";
import { readRunManifest } from "./checkpoint-store.js";
import type { RunConfig } from "./run-config.js";
import { runPaths } from "./run-paths.js";
import { trainInDirectory } from "./train-in-directory.js";

export interface PruningPhaseOptions {
  readonly runDir: string;
  readonly resume: boolean;
  readonly progress: ProgressMode;
  /** The run's splits, loaded on first use. */
  readonly data: () => TrainData;
  /** The ranks of a data-parallel run pre-train together, as they fine-tune. */
  readonly dataParallel?: DataParallel;
  readonly device?: string;
  readonly workers?: number;
}

/**
 * Before a pruned run's training (docs/pruning.md): for magnitude with pretrainEpochs > 0,
 * trains the network dense for that many epochs (its own phase in runDir/pretrain, with
 * checkpoints, resumable), then fixes the masks solved from the target compression on the
 * values as they are; the fine-tuning that follows keeps the values and starts with a new
 * optimizer and schedule. A resumed run whose fine-tuning has a checkpoint takes values and
 * masks from it. The caller owns and has checked the run directory.
 */
export async function preparePruning(
  model: Layer,
  config: RunConfig,
  options: PruningPhaseOptions,
): Promise<void> {
  const { strategy } = config;
  if (strategy.kind !== "pruned") return;
  if (options.resume && readRunManifest(options.runDir) !== null) return;
  if (strategy.pretrainEpochs > 0) {
    await trainInDirectory({
      model,
      data: options.data(),
      config: { ...config.train, epochs: strategy.pretrainEpochs },
      dir: runPaths(options.runDir).pretrain,
      // What the phase committed before (nothing in a new run) is what it continues.
      resume: true,
      progress: options.progress,
      dataParallel: options.dataParallel,
      device: options.device,
      workers: options.workers,
    });
  }
  const layout = maskedLayout(config.model);
  const weights = maskedWeightsOf(model, layout);
  const solution = solvePruningMasks({
    strategy,
    seed: config.seed,
    layers: layout.map((layer, index) => ({
      name: layer.name,
      values: (weights[index] as MaskedWeight).values.toArray<"float32">(),
    })),
  });
  weights.forEach((weight, index) => {
    weight.prune(solution.masks[index] as Uint8Array);
  });
}

/** summary.json's pruning fields: measured on the model's masks (pruned runs). */
export interface PruningFigures {
  readonly target_compression: number | null;
  readonly achieved_compression: number | null;
  readonly sparsity: number | null;
  readonly kept_weights: number | null;
  readonly pretrain_epochs: number | null;
}

/**
 * A dense run is the baselines' 0% point: nothing pruned, every weight kept (its storage is
 * the dense reference itself). PEMN strategies have no such figures (null).
 */
export function pruningFigures(model: Layer, config: RunConfig): PruningFigures {
  const { strategy } = config;
  if (strategy.kind === "dense") {
    const maskedWeights = maskedLayout(config.model).reduce(
      (sum, layer) => sum + flattenedSize(layer.shape),
      0,
    );
    return {
      target_compression: 0,
      achieved_compression: 0,
      sparsity: 0,
      kept_weights: maskedWeights,
      pretrain_epochs: null,
    };
  }
  if (strategy.kind !== "pruned") {
    return {
      target_compression: null,
      achieved_compression: null,
      sparsity: null,
      kept_weights: null,
      pretrain_epochs: null,
    };
  }
  const masks = maskedWeightsOf(model, maskedLayout(config.model)).map((weight) =>
    Uint8Array.from(weight.pruningMask?.toArray<"float32">() ?? []),
  );
  const payload = prunedPayload(masks, strategy.index);
  return {
    target_compression: strategy.compression,
    achieved_compression: payload.compressionRatio,
    sparsity: 1 - payload.keptWeights / payload.maskedWeights,
    kept_weights: payload.keptWeights,
    pretrain_epochs: strategy.pretrainEpochs,
  };
}
