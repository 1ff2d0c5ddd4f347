import assert from "node:assert/strict";
import { test } from "node:test";
import { maskByteLength, packMask } from "../../src/artifact/format/mask-bits.js";
import { decodeMask, encodeMask } from "../../src/artifact/format/mask-encoding.js";
import {
  decodeMaskRange,
  encodeMaskRange,
  keptProbability,
} from "../../src/artifact/format/mask-range-coder.js";
import { PemnFormatError } from "../../src/artifact/format/pemn-format-error.js";
import { testRandom } from "../helpers/test-random.js";
import { randomMask } from "./pemn-fixtures.js";

function entropyBits(weights: number, kept: number): number {
  if (kept === 0 || kept === weights) return 0;
  const p = kept / weights;
  return -weights * (p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

test("known answer: 40 weights keeping 3, 4, 17 and 38 (docs/format.md)", () => {
  const flags = Array.from({ length: 40 }, (_, i) => (i === 3 || i === 17 || i === 38 ? 1 : 0));
  assert.equal(keptProbability(40, 3), 4915);
  const stream = encodeMaskRange(packMask(flags), 40, 3);
  assert.deepEqual(Array.from(stream), [0xc0, 0x99, 0xcc, 0x0e, 0x50]);
  assert.deepEqual(decodeMaskRange(stream, 40, 3), packMask(flags));
});

test("round trips at many sizes and keep fractions, within 5 bytes of the entropy", () => {
  const random = testRandom(11);
  for (const weights of [1, 2, 9, 64, 1000, 65_536, 200_003]) {
    for (const keepFraction of [0, 0.001, 0.05, 0.3, 0.5, 0.9, 1]) {
      const bits = randomMask(weights, keepFraction, random);
      const kept = Math.round(keepFraction * weights);
      const stream = encodeMaskRange(bits, weights, kept);
      assert.deepEqual(
        decodeMaskRange(stream, weights, kept),
        bits,
        `${weights} @ ${keepFraction}`,
      );
      const floor = entropyBits(weights, kept) / 8;
      assert.ok(stream.length <= floor + 5, `${weights} @ ${keepFraction}: ${stream.length} bytes`);
    }
  }
});

test("masks that keep all or none cost nothing", () => {
  const all = packMask(new Array(13).fill(1));
  assert.equal(encodeMaskRange(all, 13, 13).length, 0);
  assert.deepEqual(decodeMaskRange(new Uint8Array(0), 13, 13), all);
  assert.deepEqual(decodeMaskRange(new Uint8Array(0), 13, 0), new Uint8Array(2));
});

test("the smaller encoding wins: bits at k = 0.5, range-coded at k = 0.05", () => {
  const random = testRandom(5);
  const half = encodeMask(randomMask(65_536, 0.5, random), 65_536);
  assert.deepEqual(half.record, { encoding: "bits" });
  assert.equal(half.bytes.length, maskByteLength(65_536));
  const sparse = encodeMask(randomMask(65_536, 0.05, random), 65_536);
  assert.deepEqual(sparse.record, {
    encoding: "range",
    kept: 3277,
    byteLength: sparse.bytes.length,
  });
  assert.ok(sparse.bytes.length < 0.3 * maskByteLength(65_536));
});

test("damaged streams are bad masks: short, overlong, or with the wrong kept count", () => {
  const random = testRandom(9);
  const bits = randomMask(5000, 0.05, random);
  const stream = encodeMaskRange(bits, 5000, 250);
  const expectBadMask = (bytes: Uint8Array, what: string) =>
    assert.throws(
      () =>
        decodeMask({ encoding: "range", kept: 250, byteLength: bytes.length }, bytes, 5000, "l"),
      (error: unknown) => error instanceof PemnFormatError && error.code === "bad-mask",
      what,
    );
  expectBadMask(stream.subarray(0, stream.length - 1), "one byte short");
  expectBadMask(stream.subarray(0, 3), "shorter than the priming bytes");
  expectBadMask(Uint8Array.from([...stream, 0]), "one byte too many");
  // A flip either breaks the stream or changes the kept count, except in the last bytes, whose
  // low bits are slack (the file's checksums catch those).
  let flipsCaught = 0;
  for (let position = 0; position < stream.length; position++) {
    const flipped = stream.slice();
    flipped[position] = (flipped[position] as number) ^ 0x10;
    try {
      decodeMask({ encoding: "range", kept: 250, byteLength: flipped.length }, flipped, 5000, "l");
    } catch (error) {
      assert.ok(error instanceof PemnFormatError && error.code === "bad-mask", String(error));
      flipsCaught++;
    }
  }
  assert.ok(flipsCaught > 0.9 * stream.length, `${flipsCaught} of ${stream.length} flips caught`);
  assert.throws(
    () => decodeMaskRange(Uint8Array.of(1), 13, 0),
    (error: unknown) => error instanceof PemnFormatError && error.code === "bad-mask",
  );
});
