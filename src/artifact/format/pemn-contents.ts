import type { JsonObject } from "./json-value.js";

/**
 * Where the file says a masked layer's fixed values are (coarser than the weight plan's
 * ValueSource, which the strategy derives again from the seed):
 * - `seed`: regenerated from the generator and seed by the weight strategy (nothing stored);
 * - `stored`: the first `size` values of storedValues[start, start + length) repeated end to
 *   end (a layer smaller than the slice takes its prefix, a larger one tiles it);
 * - `quantized` (the quantization baselines): the layer's own levels and scales (below).
 */
export type ValueReference =
  | { readonly kind: "seed" }
  | { readonly kind: "stored"; readonly start: number; readonly length: number }
  /**
   * `kept` (a pruned layer): its j-th kept weight (in mask order) is storedValues[start + j],
   * `length` being its kept count; dropped weights are 0. `index` is how the file stores the
   * mask: the plain bitset, or relative indices of a given width (relative-index.ts).
   */
  | {
      readonly kind: "kept";
      readonly start: number;
      readonly length: number;
      readonly index: PositionIndex;
    }
  | QuantizedValues;

/**
 * A quantized layer's values (quantized-values.ts): `bits` (1 to 8) per level, one level per
 * weight in row-major order, one scale per output channel (dim 0 of its shape), stored as
 * `scaleDtype`; weight i of channel c is the float32 product levels[i] x scales[c]. One bit
 * holds -1 or +1 (binary weights), b bits an integer in [-(2^(b-1) - 1), 2^(b-1) - 1].
 */
export interface QuantizedValues {
  readonly kind: "quantized";
  readonly bits: number;
  readonly scaleDtype: QuantizedScaleDtype;
  readonly scales: Float32Array;
  readonly levels: Int8Array;
}

/**
 * How a quantized layer's scales are stored: float32 (files packed before bfloat16 scales),
 * or bfloat16 (the upper half of a float32; pemn's quantizer rounds its scales to it).
 */
export type QuantizedScaleDtype = "fp32" | "bf16";

/** A value reference as the header records it: a quantized layer's widths, not its data. */
export type ValueRecord =
  | Exclude<ValueReference, QuantizedValues>
  | {
      readonly kind: "quantized";
      readonly bits: number;
      readonly scaleDtype: QuantizedScaleDtype;
    };

/** How a pruned layer's positions are stored. */
export type PositionIndex =
  | { readonly kind: "bitmap" }
  | { readonly kind: "relative"; readonly bits: number };

export interface MaskedLayer {
  readonly name: string;
  /** The weight's shape; the mask covers its row-major flat order. */
  readonly shape: readonly number[];
  readonly values: ValueReference;
  /** Bitset, bit i = weight i, LSB first within bytes, 1 = kept (see mask-bits.ts). */
  readonly mask: Uint8Array;
}

/**
 * The precisions a norm tensor may be stored in (norm-encoding.ts); a dtype's code is its
 * index. In memory a norm tensor is always float32.
 */
export const NORM_DTYPES = ["fp32", "fp16", "int8"] as const;
export type NormDtype = (typeof NORM_DTYPES)[number];
/** What `pemn pack` stores when not told: the trained values exactly. */
export const DEFAULT_NORM_DTYPE: NormDtype = "fp32";

/** A BatchNorm/LayerNorm parameter or running statistic. */
export interface NormTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: NormDtype;
  readonly values: Float32Array;
}

export interface GeneratorRecord {
  /** The generator's versioned name (random/GENERATOR_VERSION when written by pemn). */
  readonly name: string;
  /** Any integer in [0, 2^64). */
  readonly seed: bigint;
}

/**
 * What the model was trained on, as far as a user of it needs: the dataset's name (which
 * also says how inputs are normalised, docs/data.md) and its classes' names in label order,
 * where known. Optional: a file without it (any written before it existed) says nothing.
 */
export interface DatasetRecord {
  readonly name: string;
  readonly classNames?: readonly string[];
}

/** Everything a `.pemn` file holds. */
export interface PemnContents {
  /** The model configuration, opaque to the container. */
  readonly model: JsonObject;
  /** The weight strategy and its parameters, opaque to the container. */
  readonly strategy: JsonObject;
  readonly generator: GeneratorRecord;
  /** The training data's name and class names; absent when the writer did not record them. */
  readonly dataset?: DatasetRecord;
  /** In the model's definition order. */
  readonly maskedLayers: readonly MaskedLayer[];
  /** The values `stored` references slice; empty when every layer is seeded. */
  readonly storedValues: Float32Array;
  readonly norms: readonly NormTensor[];
}
