/**
 * The paper's storage accounting (docs/format.md, "Accounting"):
 * idealised bit counts, not the bytes of a file. Pure, so it runs anywhere.
 */

/** Bits of one stored weight or value. */
export const FLOAT32_BITS = 32;

/**
 * How PEMN's fixed values are paid for: `stored` unique float32 values (the paper's count),
 * or a `seed` of a specified generator that regenerates them (a few bytes, whatever their number).
 */
export type ValueStorage =
  | { readonly kind: "stored"; readonly uniqueValues: number }
  | { readonly kind: "seed"; readonly seedBits: number };

export interface PemnStorageInput {
  /** Weights of the masked layers: one mask bit each. */
  readonly maskedWeights: number;
  readonly values: ValueStorage;
  /** BatchNorm/LayerNorm affine parameters (gamma, beta). */
  readonly normParameters: number;
  /** BatchNorm running means and variances. */
  readonly normRunningStatistics: number;
}

/** A bit count and its compression ratio, 1 - bits / (bits of the dense reference). */
export interface StorageFigure {
  readonly bits: number;
  readonly compressionRatio: number;
}

export interface PemnStorage {
  readonly valueBits: number;
  readonly maskBits: number;
  /** The paper's figure: values and masks, against 32 bits per masked weight. */
  readonly withoutNorms: StorageFigure;
  /**
   * Also norm parameters and running statistics at 32 bits each, against a dense network
   * that stores them as well (the paper does not say whether it counts them).
   */
  readonly withNorms: StorageFigure;
}

export function pemnStorage(input: PemnStorageInput): PemnStorage {
  const { maskedWeights, values, normParameters, normRunningStatistics } = input;
  requireCount(maskedWeights, "maskedWeights");
  requireCount(normParameters, "normParameters");
  requireCount(normRunningStatistics, "normRunningStatistics");
  const valueBits =
    values.kind === "stored"
      ? FLOAT32_BITS * requireCount(values.uniqueValues, "uniqueValues")
      : requireCount(values.seedBits, "seedBits");
  const maskBits = maskedWeights;
  const bits = valueBits + maskBits;
  const normBits = FLOAT32_BITS * (normParameters + normRunningStatistics);
  return {
    valueBits,
    maskBits,
    withoutNorms: storageFigure(bits, FLOAT32_BITS * maskedWeights),
    withNorms: storageFigure(bits + normBits, FLOAT32_BITS * maskedWeights + normBits),
  };
}

export interface PrunedStorageInput {
  /** Weights of the unpruned layers (p). */
  readonly weights: number;
  /** Fraction of weights removed (r), in [0, 1]. */
  readonly sparsity: number;
  /** Bits of one index entry (it must be stated: 4, 8, 16 and 32 are all in use). */
  readonly indexWidthBits: number;
}

export interface PrunedStorage extends StorageFigure {
  /** p(1 - r), not rounded. */
  readonly keptWeights: number;
  readonly valueBits: number;
  /** About 2p(1 - r) entries (CSR/CSC indices and pointers, as in Deep Compression). */
  readonly indexEntries: number;
  readonly indexBits: number;
}

/** A pruned network's storage: p(1 - r) float32 values plus about 2p(1 - r) index entries. */
export function prunedStorage(input: PrunedStorageInput): PrunedStorage {
  const { weights, sparsity, indexWidthBits } = input;
  if (!(sparsity >= 0 && sparsity <= 1)) {
    throw new RangeError(`sparsity must be in [0, 1], got ${sparsity}`);
  }
  return prunedStorageKeeping(weights, weights * (1 - sparsity), indexWidthBits);
}

/** prunedStorage of a network of `weights` weights that keeps `keptWeights` of them. */
export function prunedStorageKeeping(
  weights: number,
  keptWeights: number,
  indexWidthBits: number,
): PrunedStorage {
  requireCount(weights, "weights");
  requireIndexWidth(indexWidthBits);
  if (!(keptWeights >= 0 && keptWeights <= weights)) {
    throw new RangeError(`keptWeights must be in [0, ${weights}], got ${keptWeights}`);
  }
  const valueBits = FLOAT32_BITS * keptWeights;
  const indexEntries = 2 * keptWeights;
  const indexBits = indexEntries * indexWidthBits;
  return {
    keptWeights,
    valueBits,
    indexEntries,
    indexBits,
    ...storageFigure(valueBits + indexBits, FLOAT32_BITS * weights),
  };
}

/**
 * What a pruned network of `weights` weights keeps within `budgetBits` (say, a PEMN's):
 * kept = budget / (32 + 2 x indexWidthBits), and the sparsity that leaves it.
 */
export function prunedNetworkWithinBudget(
  weights: number,
  budgetBits: number,
  indexWidthBits: number,
): { readonly keptWeights: number; readonly sparsity: number } {
  requireCount(weights, "weights");
  requireIndexWidth(indexWidthBits);
  if (!(budgetBits >= 0)) throw new RangeError(`budgetBits must be >= 0, got ${budgetBits}`);
  const keptWeights = Math.min(weights, budgetBits / (FLOAT32_BITS + 2 * indexWidthBits));
  return { keptWeights, sparsity: weights === 0 ? 0 : 1 - keptWeights / weights };
}

/** `bits` against a dense reference of `denseBits`: 1 - bits / denseBits (0 for an empty one). */
export function storageFigure(bits: number, denseBits: number): StorageFigure {
  return { bits, compressionRatio: denseBits === 0 ? 0 : 1 - bits / denseBits };
}

function requireCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

function requireIndexWidth(indexWidthBits: number): void {
  if (!Number.isInteger(indexWidthBits) || indexWidthBits < 1) {
    throw new RangeError(`indexWidthBits must be a positive integer, got ${indexWidthBits}`);
  }
}
