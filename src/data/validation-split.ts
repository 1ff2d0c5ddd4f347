import { z } from "zod";
import { flag } from "../config/config-flags.js";
import { ConfigError, parseConfig } from "../config/parse-config.js";
import { type Dataset, subsetDataset } from "./dataset.js";
import { type RandomSource, shuffleInPlace } from "./random-source.js";

/**
 * How many training images to hold out for validation, and whether to keep class shares.
 * Exactly 0 (fraction or count) means no validation split: training uses every image and the
 * last epoch is the model (docs/data.md).
 */
export const validationSplitSchema = z.strictObject({
  size: z.union(
    [
      z.strictObject({
        fraction: z
          .number()
          .min(0, { error: "fraction must be at least 0" })
          .lt(1, { error: "fraction must be below 1" })
          .meta(flag("val-fraction", "held-out share of the training files", { valueName: "f" })),
      }),
      z.strictObject({
        count: z
          .number()
          .int({ error: "count must be an integer" })
          .nonnegative({ error: "count must be at least 0" }),
      }),
    ],
    {
      error: "size must be { fraction: number in [0, 1) } or { count: non-negative integer }",
    },
  ),
  /** Hold out each class in proportion to its share of the training set. */
  stratified: z.boolean().default(false),
});

export type ValidationSplitInput = z.input<typeof validationSplitSchema>;
export type ValidationSplit = z.output<typeof validationSplitSchema>;

export function parseValidationSplit(value: unknown): ValidationSplit {
  return parseConfig(validationSplitSchema, value, "validation split");
}

export interface SplitDatasets {
  readonly train: Dataset;
  readonly validation: Dataset;
}

/**
 * Splits a training set into train and held-out validation parts. The same dataset, split and
 * random stream always give the same parts. Both parts keep the original image order.
 */
export function splitValidation(
  dataset: Dataset,
  split: ValidationSplit,
  random: RandomSource,
): SplitDatasets {
  const count = validationCount(dataset.count, split);
  const held = split.stratified
    ? pickStratified(dataset, count, random)
    : shuffleInPlace(range(dataset.count), random).subarray(0, count);
  const isHeld = new Uint8Array(dataset.count);
  for (const index of held) isHeld[index] = 1;
  const trainIndices: number[] = [];
  const validationIndices: number[] = [];
  for (let i = 0; i < dataset.count; i++) (isHeld[i] ? validationIndices : trainIndices).push(i);
  return {
    train: subsetDataset(dataset, trainIndices),
    validation: subsetDataset(dataset, validationIndices),
  };
}

/** Whether the split holds nothing out (size 0): then the validation part is empty. */
export function isNoValidation(split: ValidationSplit): boolean {
  return ("count" in split.size ? split.size.count : split.size.fraction) === 0;
}

function validationCount(total: number, split: ValidationSplit): number {
  if (isNoValidation(split)) return 0;
  const count = "count" in split.size ? split.size.count : Math.round(split.size.fraction * total);
  // A size asked for but rounded to nothing is a mistake, not a request for no split.
  if (count < 1 || count >= total) {
    throw new ConfigError(
      `validation split size: ${count} of ${total} images; it must leave at least one image on each side`,
    );
  }
  return count;
}

/** Per-class quotas by largest remainder, so they add up to exactly `count`. */
function pickStratified(dataset: Dataset, count: number, random: RandomSource): Int32Array {
  const members: number[][] = Array.from({ length: dataset.classes }, () => []);
  for (let i = 0; i < dataset.count; i++) members[dataset.labels[i] as number]?.push(i);
  const exact = members.map((indices) => (count * indices.length) / dataset.count);
  const quotas = exact.map(Math.floor);
  let missing = count - quotas.reduce((sum, quota) => sum + quota, 0);
  const byRemainder = exact
    .map((value, label) => ({ label, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.label - b.label);
  for (const { label } of byRemainder) {
    if (missing === 0) break;
    quotas[label] = (quotas[label] as number) + 1;
    missing--;
  }
  const held = new Int32Array(count);
  let filled = 0;
  members.forEach((indices, label) => {
    const picked = shuffleInPlace(Int32Array.from(indices), random).subarray(0, quotas[label]);
    held.set(picked, filled);
    filled += picked.length;
  });
  return held;
}

function range(length: number): Int32Array {
  const values = new Int32Array(length);
  for (let i = 0; i < length; i++) values[i] = i;
  return values;
}
