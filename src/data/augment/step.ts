import type { RandomSource } from "../random-source.js";

/**
 * A random augmentation of one uint8 CHW image of the shape it was built for.
 * It may change `image` in place or write into `scratch` (same size); it returns whichever
 * buffer holds the result, so a pipeline can ping-pong two buffers without copying.
 */
export interface PixelStep {
  apply(image: Uint8Array, scratch: Uint8Array, random: RandomSource): Uint8Array;
  /**
   * Draws what `apply` draws, in the same order, and touches no image: the main thread walks
   * the stream this way to know where each batch's draws start (src/data/batch-workers.ts).
   */
  skip(random: RandomSource): void;
}

/** A random augmentation of one normalised float image, in place at `offset` of `values`. */
export interface TensorStep {
  apply(values: Float32Array, offset: number, random: RandomSource): void;
  /** Draws what `apply` draws, as PixelStep.skip. */
  skip(random: RandomSource): void;
}
