import assert from "node:assert/strict";
import { test } from "node:test";
import { threefryBlock } from "../../src/random/threefry.js";
import { referenceThreefry } from "./reference-threefry.js";

function block(counter: readonly number[], key: readonly number[]): number[] {
  const out = new Uint32Array(4);
  const [c0, c1, c2, c3] = counter as [number, number, number, number];
  const [k0, k1, k2, k3] = key as [number, number, number, number];
  threefryBlock(out, 0, c0, c1, c2, c3, k0, k1, k2, k3);
  return [...out];
}

// Random123's published known-answer vectors (tests/kat_vectors, threefry4x32 20 rounds).
const KNOWN_ANSWERS = [
  {
    counter: [0, 0, 0, 0],
    key: [0, 0, 0, 0],
    output: [0x9c6ca96a, 0xe17eae66, 0xfc10ecd4, 0x5256a7d8],
  },
  {
    counter: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    key: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    output: [0x2a881696, 0x57012287, 0xf6c7446e, 0xa16a6732],
  },
  {
    counter: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    key: [0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89],
    output: [0x59cd1dbb, 0xb8879579, 0x86b5d00c, 0xac8b6d84],
  },
];

test("threefryBlock reproduces Random123's known-answer vectors", () => {
  for (const { counter, key, output } of KNOWN_ANSWERS) {
    assert.deepEqual(block(counter, key), output);
  }
});

test("the BigInt reference reproduces the same vectors (so it can judge other inputs)", () => {
  for (const { counter, key, output } of KNOWN_ANSWERS) {
    const result = referenceThreefry(counter.map(BigInt), key.map(BigInt)).map(Number);
    assert.deepEqual(result, output);
  }
});

test("threefryBlock agrees with the BigInt reference on varied inputs", () => {
  // A simple LCG picks the inputs; any fixed sequence of varied words would do.
  let state = 12345;
  const nextWord = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  for (let trial = 0; trial < 500; trial++) {
    const counter = [nextWord(), nextWord(), nextWord(), nextWord()];
    const key = [nextWord(), nextWord(), nextWord(), nextWord()];
    const expected = referenceThreefry(counter.map(BigInt), key.map(BigInt)).map(Number);
    assert.deepEqual(block(counter, key), expected);
  }
});

test("threefryBlock writes at the given offset and nowhere else", () => {
  const out = new Uint32Array(12);
  threefryBlock(out, 4, 0, 0, 0, 0, 0, 0, 0, 0);
  assert.deepEqual([...out.subarray(0, 4)], [0, 0, 0, 0]);
  assert.deepEqual([...out.subarray(4, 8)], KNOWN_ANSWERS[0]?.output);
  assert.deepEqual([...out.subarray(8)], [0, 0, 0, 0]);
});
