import assert from "node:assert/strict";
import { test } from "node:test";
import { fnv1a64, seedKeyWords, streamKeyWords } from "../../src/random/stream-key.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

test("fnv1a64 reproduces the published FNV-1a 64-bit test vectors", () => {
  assert.equal(fnv1a64(utf8("")), 0xcbf29ce484222325n);
  assert.equal(fnv1a64(utf8("a")), 0xaf63dc4c8601ec8cn);
  assert.equal(fnv1a64(utf8("foobar")), 0x85944171f73967e8n);
});

test("seeds map to key words [low, high]; numbers and bigints agree", () => {
  assert.deepEqual(seedKeyWords(0), [0, 0]);
  assert.deepEqual(seedKeyWords(1), [1, 0]);
  assert.deepEqual(seedKeyWords(2 ** 32 + 5), [5, 1]);
  assert.deepEqual(seedKeyWords(Number.MAX_SAFE_INTEGER), [0xffffffff, 0x1fffff]);
  assert.deepEqual(seedKeyWords(2 ** 32 + 5), seedKeyWords(2n ** 32n + 5n));
  assert.deepEqual(seedKeyWords(2n ** 64n - 1n), [0xffffffff, 0xffffffff]);
});

test("invalid seeds are refused with a message naming the seed", () => {
  for (const seed of [-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, -1n, 2n ** 64n]) {
    assert.throws(() => seedKeyWords(seed), /seed must be/);
  }
});

test("integer streams map to themselves, string streams to FNV-1a-64 with bit 63 set", () => {
  assert.deepEqual(streamKeyWords(0), [0, 0]);
  assert.deepEqual(streamKeyWords(7), [7, 0]);
  assert.deepEqual(streamKeyWords(2 ** 40 + 3), [3, 2 ** 8]);
  // FNV-1a-64("foobar") = 0x85944171f73967e8, whose bit 63 is already set.
  assert.deepEqual(streamKeyWords("foobar"), [0xf73967e8, 0x85944171]);
  // FNV-1a-64("stream") = 0x4f6a36d8e8907985 has bit 63 clear, so it is set.
  assert.deepEqual(streamKeyWords("stream"), [0xe8907985, 0xcf6a36d8]);
  // Strings are hashed as UTF-8: "é" is the bytes c3 a9.
  assert.deepEqual(streamKeyWords("é"), [0xb7181e01, 0x8ac21707]);
});

test("a string stream never equals an integer stream", () => {
  for (const text of ["0", "1", "layer:conv1", "", "é", "🙂"]) {
    const [, high] = streamKeyWords(text);
    assert.ok(high >= 0x80000000, `${text}: high word ${high.toString(16)}`);
  }
});

test("invalid streams are refused with a message naming the stream", () => {
  for (const stream of [-1, 0.5, 2 ** 53, Number.NaN]) {
    assert.throws(() => streamKeyWords(stream), /stream must be/);
  }
});
