import assert from "node:assert/strict";
import { test } from "node:test";
import {
  countKept,
  hasCleanPadding,
  maskByteLength,
  packMask,
  unpackMask,
} from "../../src/artifact/format/mask-bits.js";
import { testRandom } from "../helpers/test-random.js";

test("weight i is bit i & 7 of byte i >> 3, least significant bit first", () => {
  const flags = new Array(11).fill(0);
  flags[0] = 1;
  flags[7] = 1;
  flags[9] = 1;
  assert.deepEqual(Array.from(packMask(flags)), [0b1000_0001, 0b0000_0010]);
  assert.deepEqual(Array.from(packMask([true, false, true])), [0b101]);
});

test("pack and unpack are inverse; the kept count is the number of set bits", () => {
  const random = testRandom(3);
  for (const weights of [1, 7, 8, 9, 100, 1003]) {
    const flags = Uint8Array.from({ length: weights }, () => (random() < 0.3 ? 1 : 0));
    const bits = packMask(flags);
    assert.equal(bits.length, maskByteLength(weights));
    assert.deepEqual(unpackMask(bits, weights), flags);
    assert.equal(
      countKept(bits),
      flags.reduce((sum, flag) => sum + flag, 0),
    );
    assert.ok(hasCleanPadding(bits, weights));
  }
});

test("bits set past the last weight are unclean padding", () => {
  assert.ok(!hasCleanPadding(Uint8Array.of(0b1000), 3));
  assert.ok(hasCleanPadding(Uint8Array.of(0b0111), 3));
  assert.ok(hasCleanPadding(Uint8Array.of(0xff), 8));
});
