import { type PruningIndex, relativeIndexBits } from "../weights/index.js";
import { type MaskedLayer, type PositionIndex, packMask } from "./format/index.js";

/** A pruned layer to store: its name, shape, current values and 0/1 mask (row-major). */
export interface PrunedLayerInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
  readonly mask: ArrayLike<number>;
}

/**
 * The `.pemn` masked layers of a pruned network: each layer's kept values in mask order, one
 * after another in the stored values, its positions in the strategy's index scheme (a bitmap,
 * or relative indices; csr's 2 entries of b bits as one of 2b, pruning-storage.ts). Pure.
 */
export function prunedLayers(
  layers: readonly PrunedLayerInput[],
  index: PruningIndex,
): { readonly maskedLayers: MaskedLayer[]; readonly storedValues: Float32Array } {
  const bits = relativeIndexBits(index);
  const positions: PositionIndex = bits === null ? { kind: "bitmap" } : { kind: "relative", bits };
  const kept: number[] = [];
  const maskedLayers = layers.map((layer): MaskedLayer => {
    const start = kept.length;
    for (let i = 0; i < layer.values.length; i++) {
      if (layer.mask[i] !== 0) kept.push(layer.values[i] as number);
    }
    return {
      name: layer.name,
      shape: layer.shape,
      values: { kind: "kept", start, length: kept.length - start, index: positions },
      mask: packMask(layer.mask),
    };
  });
  return { maskedLayers, storedValues: Float32Array.from(kept) };
}
