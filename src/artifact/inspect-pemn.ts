import { maskedLayout } from "../models/pure.js";
import { countWeights, type PruningIndex, weightQuantization } from "../weights/index.js";
import {
  describePemn,
  type JsonObject,
  type LayerDescription,
  type NormDescription,
  type PemnDescription,
  quantizedValueBytes,
} from "./format/index.js";
import { isRunningStatistic } from "./format/norm-names.js";
import { checkMaskedLayers, parseModelHeader } from "./model-header.js";
import {
  FLOAT32_BITS,
  type PrunedStorage,
  pemnStorage,
  prunedNetworkWithinBudget,
  prunedStorageKeeping,
  type StorageFigure,
  storageFigure,
} from "./storage-accounting.js";

/** Index width of the pruned comparison unless told otherwise (Deep Compression's conv layers). */
export const DEFAULT_INDEX_BITS = 8;

/** What one part of the file costs. */
export interface PartCost {
  readonly bytes: number;
  /** 8 x bytes / masked weights. */
  readonly bitsPerMaskedWeight: number;
}

/** A storage figure with and without norm parameters and running statistics on both sides. */
export interface FigurePair {
  readonly withNorms: StorageFigure;
  readonly withoutNorms: StorageFigure;
}

/** A pruned network stored within `budgetBits`: the whole weights it keeps, their value and index cost. */
export interface PrunedComparison extends PrunedStorage {
  readonly budgetBits: number;
  readonly sparsity: number;
}

/** Everything `pemn inspect` reports (and prints with --json); docs/cli.md lists the fields. */
export interface PemnInspection {
  readonly formatVersion: number;
  readonly model: JsonObject;
  readonly strategy: JsonObject;
  /** The seed as a decimal string: JSON numbers are not exact above 2^53. */
  readonly generator: { readonly name: string; readonly seed: string };
  /** The training data: its name and class names (null: not recorded, or not known). */
  readonly dataset: {
    readonly name: string | null;
    readonly classNames: readonly string[] | null;
  };
  /**
   * How the masked layers' values are held: all seeded, all stored (float32), some of each, or
   * all quantized (levels and scales).
   */
  readonly valueMode: "seed" | "stored" | "mixed" | "quantized";
  readonly totalBytes: number;
  readonly maskedLayers: number;
  readonly maskedWeights: number;
  readonly keptWeights: number;
  /** The distinct values the strategy needs (the paper's count), whatever the file holds. */
  readonly uniqueValues: number;
  /** Float32 values in the file's values section (0 in seed mode). */
  readonly storedValues: number;
  /** Elements of trained norm tensors: affine parameters (and a learned position embedding). */
  readonly normParameters: number;
  /** Elements of BatchNorm running means and variances. */
  readonly normRunningStatistics: number;
  readonly parts: {
    readonly framing: PartCost;
    readonly header: PartCost;
    readonly values: PartCost;
    readonly masks: PartCost;
    readonly norms: PartCost;
  };
  /** The whole file, and the file without its norm tensors, per masked weight. */
  readonly bitsPerMaskedWeight: { readonly withNorms: number; readonly withoutNorms: number };
  /**
   * Against 32-bit dense weights (1 - bits / (32 x weights)); "with norms" counts the norm
   * tensors' elements at 32 bits on the dense side. `file`: this file's bits. `paper`: the
   * paper's accounting, 32 bits per unique value plus 1 bit per masked weight (norms at 32);
   * for a pruned network its kept values and index (prunedNetwork.compression).
   */
  readonly compression: { readonly file: FigurePair; readonly paper: FigurePair };
  /** Pruned networks of the same masked weights stored in the same bits (norms left out). */
  readonly pruned: {
    readonly indexBits: number;
    /** Within this file's bits without norms. */
    readonly sameAsFile: PrunedComparison;
    /** Within the paper's figure without norms (a quantized network's: its levels and scales). */
    readonly sameAsPaper: PrunedComparison;
  };
  /** A pruned network's own figures (strategy `pruned`), else null. */
  readonly prunedNetwork: PrunedNetworkInspection | null;
  /** A quantized or binary network's own figures, else null. */
  readonly quantizedNetwork: QuantizedNetworkInspection | null;
  readonly layers: readonly LayerDescription[];
  readonly norms: readonly NormDescription[];
}

/**
 * What a pruned file's network costs, measured from its sections: kept float32 values (the
 * values section) and their positions in the index scheme (the masks section); the header and
 * framing, a fixed overhead of the file, are left out. This is the accounting the sparsity was
 * solved with (src/weights/pruning-storage.ts), so it meets the target to within one weight.
 */
export interface PrunedNetworkInspection {
  readonly criterion: string;
  readonly scope: string;
  /** The strategy's index scheme; csr's 2 entries of b bits are stored as one of 2b bits. */
  readonly index: PruningIndex;
  readonly targetCompression: number;
  readonly keptWeights: number;
  readonly sparsity: number;
  readonly valueBytes: number;
  readonly indexBytes: number;
  /** Without norms: (values + masks) against 32-bit dense; with: plus the norms section. */
  readonly compression: FigurePair;
}

/**
 * What a quantized (or binary) file's network costs, measured from its values section: each
 * layer's levels (bits per weight, each layer's rounded up to whole bytes) and its float32
 * scales, one per output channel. Its masks keep every weight, so they cost no masks bytes.
 */
export interface QuantizedNetworkInspection {
  /** Bits per level: 1 for binary weights. */
  readonly bits: number;
  /** How each channel's scale is chosen: its largest |w| (`max`) or its mean |w| (`mean`, binary). */
  readonly scale: "max" | "mean";
  readonly levelBytes: number;
  readonly scaleBytes: number;
  /** 8 x (levels + scales) / weights: about `bits` plus 32 bits per channel's weights. */
  readonly bitsPerWeight: number;
  /** Without norms: (values + masks) against 32-bit dense; with: plus the norms section. */
  readonly compression: FigurePair;
}

/** What a `.pemn` file holds and what each part costs, against dense and pruned networks. */
export function inspectPemn(bytes: Uint8Array, indexBits = DEFAULT_INDEX_BITS): PemnInspection {
  const description = describePemn(bytes);
  const { model, strategy } = parseModelHeader(description);
  const { maskedWeights, parts } = description;
  const layout = maskedLayout(model);
  checkMaskedLayers(description.layers, layout);
  const { uniqueValues } = countWeights(strategy, layout);
  const runningStatistics = description.norms
    .filter((norm) => isRunningStatistic(norm.name))
    .reduce((sum, norm) => sum + norm.shape.reduce((product, length) => product * length, 1), 0);
  const normParameters = description.normElements - runningStatistics;
  const normDenseBits = FLOAT32_BITS * description.normElements;
  const denseBits = FLOAT32_BITS * maskedWeights;
  const fileWithoutNorms = 8 * description.bytesWithoutNorms;
  const keptWeights = description.layers.reduce((sum, layer) => sum + layer.kept, 0);
  const paper = pemnStorage({
    maskedWeights,
    values: { kind: "stored", uniqueValues },
    normParameters,
    normRunningStatistics: runningStatistics,
  });
  const cost = (byteCount: number): PartCost => ({
    bytes: byteCount,
    bitsPerMaskedWeight: (8 * byteCount) / maskedWeights,
  });
  const prunedWithin = (budgetBits: number): PrunedComparison => {
    // A pruned network keeps whole weights.
    const kept = Math.floor(
      prunedNetworkWithinBudget(maskedWeights, budgetBits, indexBits).keptWeights,
    );
    return {
      budgetBits,
      sparsity: 1 - kept / maskedWeights,
      ...prunedStorageKeeping(maskedWeights, kept, indexBits),
    };
  };
  const prunedNetwork: PrunedNetworkInspection | null =
    strategy.kind === "pruned"
      ? {
          criterion: strategy.criterion,
          scope: strategy.scope,
          index: strategy.index,
          targetCompression: strategy.compression,
          keptWeights,
          sparsity: 1 - keptWeights / maskedWeights,
          valueBytes: parts.values,
          indexBytes: parts.masks,
          compression: {
            withoutNorms: storageFigure(8 * (parts.values + parts.masks), denseBits),
            withNorms: storageFigure(
              8 * (parts.values + parts.masks + parts.norms),
              denseBits + normDenseBits,
            ),
          },
        }
      : null;
  const quantization = weightQuantization(strategy);
  let quantizedNetwork: QuantizedNetworkInspection | null = null;
  if (quantization !== null) {
    // Each layer as its header records it (older files hold float32 scales).
    const bytes = description.layers.map((layer) =>
      layer.values.kind === "quantized"
        ? quantizedValueBytes(layer.shape, layer.values.bits, layer.values.scaleDtype)
        : { scales: 0, levels: 0 },
    );
    const levelBytes = bytes.reduce((sum, part) => sum + part.levels, 0);
    const scaleBytes = bytes.reduce((sum, part) => sum + part.scales, 0);
    quantizedNetwork = {
      ...quantization,
      levelBytes,
      scaleBytes,
      bitsPerWeight: (8 * (levelBytes + scaleBytes)) / maskedWeights,
      compression: {
        withoutNorms: storageFigure(8 * (parts.values + parts.masks), denseBits),
        withNorms: storageFigure(
          8 * (parts.values + parts.masks + parts.norms),
          denseBits + normDenseBits,
        ),
      },
    };
  }
  const ownNetwork = prunedNetwork ?? quantizedNetwork;
  return {
    formatVersion: description.formatVersion,
    model: description.model,
    strategy: description.strategy,
    generator: { name: description.generator.name, seed: description.generator.seed.toString() },
    dataset: {
      name: description.dataset?.name ?? null,
      classNames: description.dataset?.classNames ?? null,
    },
    valueMode: valueMode(description),
    totalBytes: description.totalBytes,
    maskedLayers: description.layers.length,
    maskedWeights,
    keptWeights,
    uniqueValues,
    storedValues: description.storedValueCount,
    normParameters,
    normRunningStatistics: runningStatistics,
    parts: {
      framing: cost(parts.framing),
      header: cost(parts.header),
      values: cost(parts.values),
      masks: cost(parts.masks),
      norms: cost(parts.norms),
    },
    bitsPerMaskedWeight: {
      withNorms: description.bitsPerMaskedWeight,
      withoutNorms: description.bitsPerMaskedWeightWithoutNorms,
    },
    compression: {
      file: {
        withNorms: storageFigure(8 * description.totalBytes, denseBits + normDenseBits),
        withoutNorms: storageFigure(fileWithoutNorms, denseBits),
      },
      // The paper counts a pruned network by its values and index, as the file stores them;
      // a quantized one likewise by its levels and scales.
      paper: ownNetwork?.compression ?? {
        withNorms: paper.withNorms,
        withoutNorms: paper.withoutNorms,
      },
    },
    pruned: {
      indexBits,
      sameAsFile: prunedWithin(fileWithoutNorms),
      // A quantized network's own count is its levels and scales, not 32 bits per value.
      sameAsPaper: prunedWithin((quantizedNetwork?.compression ?? paper).withoutNorms.bits),
    },
    prunedNetwork,
    quantizedNetwork,
    layers: description.layers,
    norms: description.norms,
  };
}

function valueMode(description: PemnDescription): PemnInspection["valueMode"] {
  const { layers } = description;
  if (layers.length > 0 && layers.every((layer) => layer.values.kind === "quantized")) {
    return "quantized";
  }
  const seeded = description.layers.filter((layer) => layer.values.kind === "seed").length;
  if (seeded === description.layers.length) return "seed";
  return seeded === 0 ? "stored" : "mixed";
}
