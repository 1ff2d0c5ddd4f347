import type { PruningIndex } from "./strategy.js";

/*
 * What a pruned network really costs, byte for byte as a `.pemn` file stores it (docs/format.md,
 * "Pruned layers"): per layer its kept float32 values plus its positions in the index scheme,
 * each layer's positions rounded up to whole bytes. Header and framing are not counted: they
 * are a fixed overhead of the file, not of the pruned network.
 */

/** Bytes of one stored float32 value. */
const VALUE_BYTES = 4;

/**
 * The width of the relative index that stores a scheme's positions. CSR's paper accounting
 * (Deep Compression: about 2 entries of `bits` per kept weight) is stored as one relative
 * entry of 2 x bits, which costs the same and addresses any position without row pointers.
 */
export function relativeIndexBits(index: PruningIndex): number | null {
  switch (index.kind) {
    case "csr":
      return 2 * index.bits;
    case "relative":
      return index.bits;
    case "bitmap":
      return null;
  }
}

/**
 * Entries of a relative index of `bits` bits over a 0/1 mask: one per kept weight (the number
 * of dropped weights before it, up to 2^bits - 2) plus a filler, code 2^bits - 1 ("skip that
 * many, keep none"), for each 2^bits - 1 dropped weights in a row before a kept one. Dropped
 * weights after the last kept one need no entry: the layer's size ends them.
 */
export function relativeIndexEntries(mask: Uint8Array, bits: number): number {
  const filler = 2 ** bits - 1;
  let entries = 0;
  let gap = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) {
      gap++;
      continue;
    }
    entries += 1 + Math.floor(gap / filler);
    gap = 0;
  }
  return entries;
}

/** Bytes of a layer's positions (a 0/1 mask, one byte per weight) in the index scheme. */
export function indexBytes(mask: Uint8Array, index: PruningIndex): number {
  const bits = relativeIndexBits(index);
  if (bits === null) return Math.ceil(mask.length / 8);
  return Math.ceil((relativeIndexEntries(mask, bits) * bits) / 8);
}

export interface PrunedPayload {
  readonly maskedWeights: number;
  readonly keptWeights: number;
  /** 4 bytes per kept weight. */
  readonly valueBytes: number;
  readonly indexBytes: number;
  /** 1 - 8 x (value + index bytes) / (32 x masked weights): norms, header and framing left out. */
  readonly compressionRatio: number;
}

/** The stored cost of a pruned network's masked layers, each a 0/1 mask. */
export function prunedPayload(masks: readonly Uint8Array[], index: PruningIndex): PrunedPayload {
  let maskedWeights = 0;
  let keptWeights = 0;
  let positionBytes = 0;
  for (const mask of masks) {
    maskedWeights += mask.length;
    for (let i = 0; i < mask.length; i++) keptWeights += mask[i] === 0 ? 0 : 1;
    positionBytes += indexBytes(mask, index);
  }
  const valueBytes = VALUE_BYTES * keptWeights;
  return {
    maskedWeights,
    keptWeights,
    valueBytes,
    indexBytes: positionBytes,
    compressionRatio:
      maskedWeights === 0 ? 0 : 1 - (valueBytes + positionBytes) / (VALUE_BYTES * maskedWeights),
  };
}
