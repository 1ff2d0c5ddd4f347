import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32 } from "../../src/checksum/crc32.js";
import { testRandom } from "../helpers/test-random.js";

test("CRC-32 check value: '123456789' gives 0xCBF43926, nothing gives 0", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test("CRC-32 agrees with zlib's on random inputs of many lengths", () => {
  const random = testRandom(7);
  for (const length of [1, 2, 3, 7, 8, 255, 256, 1000, 65537]) {
    const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    assert.equal(crc32(bytes), zlibCrc32(bytes), `length ${length}`);
  }
});
