import { standardNormal } from "./standard-normal.js";
import { type StreamKey, seedKeyWords, streamKeyWords } from "./stream-key.js";
import { threefryBlock } from "./threefry.js";

/** The generator of docs/generator.md: every value is a specified function of (seed, stream). */
export interface SeededGenerator extends RandomSource {
  readonly version: GeneratorVersion;
  /** A uniform integer in [0, bound), bound an integer in [1, 2^32]; unbiased by rejection. */
  nextBelow(bound: number): number;
  /** Fills `out` with float32(low + (high - low) * nextFloat()); returns `out`. */
  fillUniform(out: Float32Array, low: number, high: number): Float32Array;
  /** Fills `out` with float32(mean + std * z), z standard normal (ziggurat); returns `out`. */
  fillNormal(out: Float32Array, mean: number, std: number): Float32Array;
  /** A uniformly random permutation of 0..length-1 (Fisher–Yates). */
  permutation(length: number): Uint32Array;
  /** Where the stream stands now: `generatorAt(snapshot)` continues from here, on any thread. */
  snapshot(): GeneratorSnapshot;
}

/**
 * A generator's place in its stream as plain data (it crosses threads and processes): the
 * Threefry key (seed and stream words, docs/generator.md section 3) and how many words the
 * stream has handed out. A stream's words depend on (key, position) alone, so a generator
 * rebuilt here draws exactly what the original would have drawn next.
 */
export interface GeneratorSnapshot {
  readonly version: GeneratorVersion;
  readonly key: readonly [number, number, number, number];
  /** Words drawn so far. */
  readonly word: number;
}

const TWO_POW_32 = 2 ** 32;
const TWO_POW_26 = 2 ** 26;
const TWO_POW_MINUS_53 = 2 ** -53;
const LARGEST_PERMUTATION = TWO_POW_32 - 1;
/** Blocks computed per refill of the word buffer. */
const BUFFER_BLOCKS = 4;
const BUFFER_WORDS = 4 * BUFFER_BLOCKS;

class ThreefryGenerator implements SeededGenerator {
  readonly version = GENERATOR_VERSION;
  readonly #key0: number;
  readonly #key1: number;
  readonly #key2: number;
  readonly #key3: number;
  readonly #words = new Uint32Array(BUFFER_WORDS);
  #position = BUFFER_WORDS;
  /** Index of the first block of the next refill; stays exact far beyond any real use (2^53). */
  #nextBlock = 0;

  constructor(key: readonly [number, number, number, number], word: number) {
    [this.#key0, this.#key1, this.#key2, this.#key3] = key;
    // The refill holding word `word`, positioned on it (or none yet, on a refill boundary).
    this.#nextBlock = Math.floor(word / BUFFER_WORDS) * BUFFER_BLOCKS;
    if (word % BUFFER_WORDS !== 0) {
      this.#refill();
      this.#position = word % BUFFER_WORDS;
    }
  }

  snapshot(): GeneratorSnapshot {
    return {
      version: this.version,
      key: [this.#key0, this.#key1, this.#key2, this.#key3],
      word: this.#nextBlock * 4 - (BUFFER_WORDS - this.#position),
    };
  }

  nextUint32(): number {
    if (this.#position === BUFFER_WORDS) {
      this.#refill();
      this.#position = 0;
    }
    return this.#words[this.#position++] as number;
  }

  nextFloat(): number {
    const high27 = this.nextUint32() >>> 5;
    const low26 = this.nextUint32() >>> 6;
    return (high27 * TWO_POW_26 + low26) * TWO_POW_MINUS_53;
  }

  nextBelow(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new RangeError(`bound must be an integer in [1, 2^32], got ${bound}`);
    }
    // Accept only words below the largest multiple of bound, so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (;;) {
      const word = this.nextUint32();
      if (word < limit) return word % bound;
    }
  }

  fillUniform(out: Float32Array, low: number, high: number): Float32Array {
    const width = high - low;
    if (!Number.isFinite(low) || !Number.isFinite(width) || width < 0) {
      throw new RangeError(`uniform bounds must be finite with low <= high, got [${low}, ${high}]`);
    }
    for (let i = 0; i < out.length; i++) {
      out[i] = low + width * this.nextFloat(); // storing into a Float32Array rounds like fround
    }
    return out;
  }

  fillNormal(out: Float32Array, mean: number, std: number): Float32Array {
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new RangeError(`normal needs a finite mean and a finite std >= 0, got ${mean}, ${std}`);
    }
    for (let i = 0; i < out.length; i++) {
      out[i] = mean + std * standardNormal(this);
    }
    return out;
  }

  permutation(length: number): Uint32Array {
    if (!Number.isInteger(length) || length < 0 || length > LARGEST_PERMUTATION) {
      throw new RangeError(`permutation length must be an integer in [0, 2^32 - 1], got ${length}`);
    }
    const result = new Uint32Array(length);
    for (let i = 0; i < length; i++) result[i] = i;
    for (let i = length - 1; i > 0; i--) {
      const j = this.nextBelow(i + 1);
      const swapped = result[i] as number;
      result[i] = result[j] as number;
      result[j] = swapped;
    }
    return result;
  }

  /** Overwrites the word buffer with the next blocks; the caller resets its position. */
  #refill(): void {
    const first = this.#nextBlock;
    // first is a multiple of BUFFER_BLOCKS below 2^53: its low counter word (ToUint32 reduces
    // modulo 2^32 exactly) does not wrap within the refill, and the high word is exact.
    const low = first >>> 0;
    const high = (first - low) / TWO_POW_32;
    for (let b = 0; b < BUFFER_BLOCKS; b++) {
      threefryBlock(
        this.#words,
        4 * b,
        low + b,
        high,
        0,
        0,
        this.#key0,
        this.#key1,
        this.#key2,
        this.#key3,
      );
    }
    this.#nextBlock = first + BUFFER_BLOCKS;
  }
}

/**
 * The generator for `(seed, stream)`. Streams are independent: what one stream yields does not
 * depend on how much any other stream was used.
 */
export function createGenerator(seed: number | bigint, stream: StreamKey = 0): SeededGenerator {
  return new ThreefryGenerator([...seedKeyWords(seed), ...streamKeyWords(stream)], 0);
}

/** The generator a snapshot describes: it draws what the snapshotted one would draw next. */
export function generatorAt(snapshot: GeneratorSnapshot): SeededGenerator {
  const { version, key, word } = snapshot;
  if (version !== GENERATOR_VERSION) {
    throw new RangeError(`a ${version} snapshot cannot continue as ${GENERATOR_VERSION}`);
  }
  if (key.length !== 4 || !key.every((k) => Number.isInteger(k) && k >= 0 && k < TWO_POW_32)) {
    throw new RangeError(`a generator key is four 32-bit words, got [${key.join(", ")}]`);
  }
  // Block indices stay exact below 2^53 (see #refill), so words do below 2^53 too.
  if (!Number.isSafeInteger(word) || word < 0) {
    throw new RangeError(`a stream position is a non-negative safe integer, got ${word}`);
  }
  return new ThreefryGenerator(key, word);
}

/**
 * Name of the generator specified in docs/generator.md. The `.pemn` format records it, so any
 * change to the bits this module produces (algorithm, constants, stream derivation, value
 * derivation) must come with a new name.
 */
export const GENERATOR_VERSION = "pemn-threefry4x32-20-v1";

export type GeneratorVersion = typeof GENERATOR_VERSION;

/** What randomised code (augmentations, shuffles, samplers) needs from a generator. */
export interface RandomSource {
  /** The next word of the stream, a uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform float64 in [0, 1) with 53 random bits; uses the next two words. */
  nextFloat(): number;
}
