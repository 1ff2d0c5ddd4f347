import assert from "node:assert/strict";
import { test } from "node:test";
import { createGenerator, GENERATOR_VERSION, generatorAt } from "../../src/random/index.js";
import { ZIGGURAT_HEIGHTS, ZIGGURAT_WIDTHS } from "../../src/random/standard-normal.js";
import { float32BitsOf } from "./float-reference.js";
import { referenceHeights, referenceNormals, referenceWidths } from "./reference-normal.js";
import { referenceFloat, referenceWords } from "./reference-threefry.js";

const hex = (word: number) => `0x${word.toString(16).padStart(8, "0")}`;

function takeWords(seed: number | bigint, stream: number | string, count: number): number[] {
  const generator = createGenerator(seed, stream);
  return Array.from({ length: count }, () => generator.nextUint32());
}

// Published test vectors: the first eight words of a few streams (also in docs/generator.md).
const WORD_VECTORS: ReadonlyArray<{
  seed: number | bigint;
  stream: number | string;
  words: readonly number[];
}> = [
  {
    // Key and counter all zero: the first block is Random123's zero known-answer vector.
    seed: 0,
    stream: 0,
    words: [
      0x9c6ca96a, 0xe17eae66, 0xfc10ecd4, 0x5256a7d8, 0x606694a5, 0x55a9572a, 0x282e9454,
      0x41bd81cc,
    ],
  },
  {
    seed: 42,
    stream: "layer:conv1",
    words: [
      0xaa88e1a9, 0x111d7641, 0x93b63026, 0x5798b734, 0xfbc6831e, 0xa9fdbca2, 0xf8c06f7c,
      0x29c23860,
    ],
  },
  {
    seed: 2n ** 64n - 1n,
    stream: Number.MAX_SAFE_INTEGER,
    words: [
      0x2ee72d99, 0x51bc72e9, 0x7b36c4de, 0x17ed80aa, 0x2c390bbb, 0xf0c4975f, 0x98644a37,
      0xe2ac4a3f,
    ],
  },
];

test("the generator names its version", () => {
  assert.equal(GENERATOR_VERSION, "pemn-threefry4x32-20-v1");
  assert.equal(createGenerator(1).version, GENERATOR_VERSION);
});

test("nextUint32 gives the published word vectors", () => {
  for (const { seed, stream, words } of WORD_VECTORS) {
    assert.deepEqual(takeWords(seed, stream, words.length).map(hex), words.map(hex));
  }
});

test("nextUint32 follows the independent BigInt reference over many blocks", () => {
  const cases: ReadonlyArray<readonly [number | bigint, number | string]> = [
    [0, 0],
    [1, 1],
    [1, "1"],
    [123456789, "layer:blocks.3.pointwise"],
    [2 ** 40 + 17, 2 ** 33 + 1],
    [2n ** 63n + 5n, "rp-order"],
  ];
  for (const [seed, stream] of cases) {
    const expected = referenceWords(
      BigInt(seed),
      typeof stream === "string" ? stream : BigInt(stream),
      1000,
    );
    assert.deepEqual(takeWords(seed, stream, 1000), expected, `seed ${seed}, stream ${stream}`);
  }
});

test("nextFloat takes 27 + 26 bits of two consecutive words, in [0, 1)", () => {
  const generator = createGenerator(42, "float");
  const words = referenceWords(42n, "float", 2000);
  for (let i = 0; i < 1000; i++) {
    const value = generator.nextFloat();
    assert.equal(value, referenceFloat(words[2 * i] as number, words[2 * i + 1] as number));
    assert.ok(value >= 0 && value < 1);
  }
});

test("fillNormal matches the reference sampler bit for bit", () => {
  const count = 200_000;
  const values = createGenerator(7, "normal").fillNormal(new Float32Array(count), 0, 1);
  // Two words per value plus the occasional rejection: 3 words per value is ample.
  const expected = referenceNormals(referenceWords(7n, "normal", 3 * count), count);
  for (let i = 0; i < count; i++) {
    assert.equal(values[i], Math.fround(expected[i] as number), `value ${i}`);
  }
});

test("fillNormal applies mean and std in float64 and rounds once to float32", () => {
  const values = createGenerator(7, "normal").fillNormal(new Float32Array(1000), 0.25, 0.125);
  const standard = referenceNormals(referenceWords(7n, "normal", 3000), 1000);
  for (let i = 0; i < 1000; i++) {
    assert.equal(values[i], Math.fround(0.25 + 0.125 * (standard[i] as number)));
  }
});

test("fillNormal gives the published float32 vectors", () => {
  const values = createGenerator(42, "normal").fillNormal(new Float32Array(8), 0, 1);
  assert.deepEqual(
    [...values].map((value) => hex(float32BitsOf(value))),
    [
      0x3f378bfe, 0xbf13e033, 0xbca2b8c1, 0x3e0a4450, 0xbf319c08, 0xc00e70b2, 0xbe889610,
      0xbf136f00,
    ].map(hex),
  );
});

test("the ziggurat tables are the ones the spec's recurrence builds", () => {
  assert.equal(ZIGGURAT_WIDTHS.length, 257);
  for (let i = 0; i <= 256; i++) {
    assert.equal(ZIGGURAT_WIDTHS[i], referenceWidths[i], `width ${i}`);
    if (i > 0) assert.equal(ZIGGURAT_HEIGHTS[i], referenceHeights[i], `height ${i}`);
  }
  // Widths fall from the base to the top, where the stack closes near 1 as designed.
  for (let i = 1; i < 256; i++) {
    assert.ok((ZIGGURAT_WIDTHS[i + 1] as number) < (ZIGGURAT_WIDTHS[i] as number));
  }
  const topArea = (ZIGGURAT_WIDTHS[255] as number) * (1 - (ZIGGURAT_HEIGHTS[255] as number));
  assert.ok(Math.abs(topArea / 4.92867323399e-3 - 1) < 1e-8);
});

/** Standard normal CDF via erfc (Numerical Recipes' erfcc; relative error < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t *
                          (-1.13520398 +
                            t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

test("a million normals have the moments and quantiles of N(0, 1)", () => {
  const count = 1_000_000;
  const values = createGenerator(2024, "statistics").fillNormal(new Float32Array(count), 0, 1);
  let sum = 0;
  let sumSquares = 0;
  let sumFourth = 0;
  for (const value of values) {
    sum += value;
    sumSquares += value * value;
    sumFourth += value ** 4;
  }
  const mean = sum / count;
  const variance = sumSquares / count - mean * mean;
  // Tolerances are about 5 standard errors.
  assert.ok(Math.abs(mean) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.007, `variance ${variance}`);
  assert.ok(Math.abs(sumFourth / count - 3) < 0.05, `fourth moment ${sumFourth / count}`);
  // Fraction below each cut, against the normal CDF (binomial standard error <= 0.0005).
  for (const cut of [-4, -3, -2.5, -1.5, -1, -0.5, 0, 0.3, 1, 2, 3, 3.654, 4]) {
    const below = values.reduce((n, value) => (value < cut ? n + 1 : n), 0) / count;
    const expected = normalCdf(cut);
    const tolerance = 5 * Math.sqrt((expected * (1 - expected)) / count) + 1e-6;
    assert.ok(Math.abs(below - expected) < tolerance, `P(z < ${cut}) = ${below}, want ${expected}`);
  }
});

test("the tail beyond R and the wedges are both exercised and sound", () => {
  const count = 1_000_000;
  const values = createGenerator(99, "tail").fillNormal(new Float32Array(count), 0, 1);
  const beyond = values.reduce((n, value) => (Math.abs(value) > 3.6541528853610088 ? n + 1 : n), 0);
  const expected = 2 * (1 - normalCdf(3.6541528853610088)) * count; // about 258
  assert.ok(Math.abs(beyond - expected) < 5 * Math.sqrt(expected), `${beyond} vs ${expected}`);
  assert.ok(values.every((value) => Number.isFinite(value)));
});

test("fillUniform stays in [low, high] and is flat", () => {
  const count = 200_000;
  const values = createGenerator(5, "uniform").fillUniform(new Float32Array(count), -0.5, 0.5);
  const bins = new Array<number>(10).fill(0);
  for (const value of values) {
    assert.ok(value >= -0.5 && value <= 0.5);
    const bin = Math.min(9, Math.floor((value + 0.5) * 10));
    bins[bin] = (bins[bin] as number) + 1;
  }
  for (const n of bins) assert.ok(Math.abs(n / count - 0.1) < 0.004, `bin share ${n / count}`);
});

test("fillUniform is float32(low + (high - low) * nextFloat())", () => {
  const values = createGenerator(5, "uniform").fillUniform(new Float32Array(100), -1, 3);
  const words = referenceWords(5n, "uniform", 200);
  for (let i = 0; i < 100; i++) {
    const u = referenceFloat(words[2 * i] as number, words[2 * i + 1] as number);
    assert.equal(values[i], Math.fround(-1 + 4 * u));
  }
});

test("nextBelow rejects the biased top of the word range, as specified", () => {
  // bound 3 * 2^30: words at or above 3 * 2^30 are rejected (a quarter of them).
  const bound = 3 * 2 ** 30;
  const generator = createGenerator(8, "below");
  const words = referenceWords(8n, "below", 400);
  const expected: number[] = [];
  for (const word of words) {
    if (word < bound) expected.push(word % bound);
    if (expected.length === 200) break;
  }
  assert.deepEqual(
    Array.from({ length: 200 }, () => generator.nextBelow(bound)),
    expected,
  );
  assert.equal(createGenerator(0).nextBelow(2 ** 32), 0x9c6ca96a);
  assert.equal(createGenerator(0).nextBelow(1), 0);
});

test("nextBelow is uniform over small bounds", () => {
  const generator = createGenerator(3, "dice");
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < 600_000; i++) {
    const face = generator.nextBelow(6);
    counts[face] = (counts[face] as number) + 1;
  }
  for (const n of counts) assert.ok(Math.abs(n - 100_000) < 1_500, `count ${n}`);
});

test("permutation is a permutation, with the specified Fisher-Yates order", () => {
  for (const length of [0, 1, 2, 10, 1000]) {
    const result = createGenerator(1, "perm").permutation(length);
    assert.deepEqual(
      [...result].sort((a, b) => a - b),
      Array.from({ length }, (_, i) => i),
    );
  }
  // Reference: swap i with nextBelow(i + 1) for i from length - 1 down to 1.
  const reference = createGenerator(42, "permutation");
  const expected = Array.from({ length: 10 }, (_, i) => i);
  for (let i = 9; i > 0; i--) {
    const j = reference.nextBelow(i + 1);
    [expected[i], expected[j]] = [expected[j] as number, expected[i] as number];
  }
  assert.deepEqual([...createGenerator(42, "permutation").permutation(10)], expected);
  assert.deepEqual(expected, [2, 4, 7, 3, 5, 9, 6, 1, 0, 8]);
});

test("permutations of 4 are all equally likely", () => {
  const generator = createGenerator(11, "shuffle");
  const counts = new Map<string, number>();
  const trials = 48_000;
  for (let t = 0; t < trials; t++) {
    const key = generator.permutation(4).join("");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 24);
  for (const n of counts.values()) assert.ok(Math.abs(n - 2000) < 250, `count ${n}`);
});

test("same seed and stream give the same values; values do not depend on other streams", () => {
  const first = createGenerator(9, "layer:a").fillNormal(new Float32Array(5000), 0, 1);
  // Use other streams heavily in between: a stream's values depend on nothing else.
  createGenerator(9, "layer:b").fillNormal(new Float32Array(12345), 0, 1);
  const again = createGenerator(9, "layer:a").fillNormal(new Float32Array(5000), 0, 1);
  assert.deepEqual(again, first);
  assert.deepEqual(createGenerator(9n, "layer:a").fillNormal(new Float32Array(5000), 0, 1), first);
});

test("different seeds or streams give different words", () => {
  const seen = new Set<string>();
  for (const seed of [0, 1, 2 ** 32]) {
    for (const stream of [0, 1, "0", "1", "layer:a", "layer:b"]) {
      seen.add(takeWords(seed, stream, 4).join(","));
    }
  }
  assert.equal(seen.size, 18);
});

test("a prefix of a fill is the fill of the prefix", () => {
  const long = createGenerator(4, "p").fillNormal(new Float32Array(1001), 0, 1);
  const short = createGenerator(4, "p").fillNormal(new Float32Array(77), 0, 1);
  assert.deepEqual(short, long.subarray(0, 77));
});

test("a snapshot continues the stream at any position, on or off a refill boundary", () => {
  const whole = takeWords(2n ** 63n + 5n, "train/data/epoch-3", 200);
  for (const drawn of [0, 1, 15, 16, 17, 63, 64, 65, 130]) {
    const original = createGenerator(2n ** 63n + 5n, "train/data/epoch-3");
    for (let i = 0; i < drawn; i++) original.nextUint32();
    const snapshot = original.snapshot();
    assert.equal(snapshot.word, drawn);
    // Plain data: what a worker thread receives is a structured clone of it.
    const resumed = generatorAt(structuredClone(snapshot));
    const next = Array.from({ length: 200 - drawn }, () => resumed.nextUint32());
    assert.deepEqual(next, whole.slice(drawn), `after ${drawn} words`);
    assert.equal(original.nextUint32(), whole[drawn], "taking a snapshot draws nothing");
  }
  const mixed = createGenerator(7, 9);
  mixed.nextFloat();
  mixed.nextBelow(3);
  mixed.fillNormal(new Float32Array(5), 0, 1);
  const copy = generatorAt(mixed.snapshot());
  assert.equal(copy.nextFloat(), mixed.nextFloat());
  assert.deepEqual(copy.snapshot(), mixed.snapshot());
});

test("a snapshot of another generator version, key or position is refused", () => {
  const snapshot = createGenerator(1).snapshot();
  assert.throws(
    () => generatorAt({ ...snapshot, version: "other" as typeof GENERATOR_VERSION }),
    /cannot continue/,
  );
  assert.throws(() => generatorAt({ ...snapshot, key: [0, 0, 0, 2 ** 32] }), /32-bit words/);
  assert.throws(() => generatorAt({ ...snapshot, word: -1 }), /position/);
  assert.throws(() => generatorAt({ ...snapshot, word: 0.5 }), /position/);
});

test("bad arguments are refused with messages that name them", () => {
  const generator = createGenerator(1);
  assert.throws(() => generator.nextBelow(0), /bound/);
  assert.throws(() => generator.nextBelow(2 ** 32 + 1), /bound/);
  assert.throws(() => generator.nextBelow(2.5), /bound/);
  assert.throws(() => generator.permutation(-1), /permutation length/);
  assert.throws(() => generator.permutation(1.5), /permutation length/);
  assert.throws(() => generator.fillNormal(new Float32Array(1), 0, -1), /std/);
  assert.throws(() => generator.fillNormal(new Float32Array(1), Number.NaN, 1), /mean/);
  assert.throws(() => generator.fillUniform(new Float32Array(1), 1, 0), /low <= high/);
  assert.throws(() => createGenerator(-1), /seed/);
  assert.throws(() => createGenerator(0, -2), /stream/);
});
