/** What randomised code (augmentations, shuffles, samplers) needs from a generator. */
export interface RandomSource {
  /** The next word of the stream, a uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform float64 in [0, 1) with 53 random bits; uses the next two words. */
  nextFloat(): number;
}
