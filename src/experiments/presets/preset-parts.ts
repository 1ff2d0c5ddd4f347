import type { AxisValueInput } from "../sweep-spec.js";

/*
 * The pieces the shipped presets share: seeds, the PEMN methods of the paper's figures, and
 * the pruning baselines at a storage compression ratio (docs/experiments.md).
 */

export function seedAxis(count: number): AxisValueInput[] {
  return Array.from({ length: count }, (_, seed) => ({ label: String(seed), config: { seed } }));
}

/** One value of a method axis: a strategy and the training recipe it goes with. */
export function method(
  label: string,
  strategy: Record<string, unknown>,
  optimizer: Record<string, unknown>,
): AxisValueInput {
  return { label, config: { strategy, train: { optimizer } } };
}

/** RP at each ratio, labelled as the paper's axis ("RP 1e-3"). */
/**
 * The paper's (and the official code's) padding: no rescaling, whatever the network, where
 * pemn's default depends on it (src/models/model-layout.ts, defaultRescale).
 */
const PAPER_RESCALE = "none";

export function rpMethods(
  ratios: readonly number[],
  optimizer: Record<string, unknown>,
): AxisValueInput[] {
  return ratios.map((ratio) =>
    method(`RP ${ratio.toExponential()}`, { kind: "rp", ratio, rescale: PAPER_RESCALE }, optimizer),
  );
}

/** The dense network, weights trained: the reference level (0% compression). */
export const denseMethod = (trained: Record<string, unknown>) =>
  method("dense", { kind: "dense" }, trained);

export const mpMethod = (pemn: Record<string, unknown>) =>
  method("MP", { kind: "mp", rescale: PAPER_RESCALE }, pemn);

/** The representation methods of Fig. 3 other than RP. */
export function representationMethods(
  pemn: Record<string, unknown>,
  trained: Record<string, unknown>,
): AxisValueInput[] {
  return [
    denseMethod(trained),
    method("mask", { kind: "mask" }, pemn),
    method("one-layer", { kind: "one-layer" }, pemn),
    mpMethod(pemn),
  ];
}

export const PRUNING_CRITERIA = ["random", "magnitude"] as const;
export const PRUNING_LABELS = { random: "random pruning", magnitude: "magnitude pruning" } as const;
export type PruningCriterion = (typeof PRUNING_CRITERIA)[number];

/**
 * The baselines of Fig. 4/5 as a method value each: sparse networks trained from scratch
 * after pruning at initialisation (pretrainEpochs 0), per layer, CSR index of 8 bits; their
 * compression ratio is a separate axis applying to them only (compressionAxis).
 */
export function pruningMethods(
  trained: Record<string, unknown>,
  criteria: readonly PruningCriterion[] = PRUNING_CRITERIA,
): AxisValueInput[] {
  return criteria.map((criterion) =>
    method(
      PRUNING_LABELS[criterion],
      {
        kind: "pruned",
        criterion,
        pretrainEpochs: 0,
        scope: "layer",
        index: { kind: "csr", bits: 8 },
      },
      trained,
    ),
  );
}

export function compressionAxis(
  ratios: readonly number[],
  criteria: readonly PruningCriterion[] = PRUNING_CRITERIA,
): AxisValueInput[] {
  return ratios.map((compression) => ({
    label: `${Math.round(100 * compression)}%`,
    config: { strategy: { compression } },
    when: { method: criteria.map((criterion) => PRUNING_LABELS[criterion]) },
  }));
}

/**
 * The ResNets' recipe: the supplement's momentum 0.9 and weight decay 5e-4 with edge-popup's
 * SGD lr 0.1 (lr 1e-4 does not train SGD in 200 epochs); masks, dense and pruned values alike.
 */
export const RESNET_SGD = { kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

/** The reference code trains on every training image: no validation split, the last epoch is the model. */
export const WHOLE_TRAINING_SET = { size: { fraction: 0 } };

/** The paper's compression ratios of Fig. 4 and 5. */
export const PAPER_COMPRESSIONS = [0.9, 0.92, 0.94, 0.96] as const;
