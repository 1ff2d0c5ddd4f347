import assert from "node:assert/strict";
import { test } from "node:test";
import { sincosPositionEmbedding } from "../../src/models/pure.js";
import { assertClose } from "../helpers/test-random.js";

test("sincos codes: [sin, cos] of the column, then of the row, at frequencies 10000^(-i / (dim/4))", () => {
  const embedding = sincosPositionEmbedding(2, 3, 8);
  assert.equal(embedding.length, 6 * 8);
  assert.deepEqual([...embedding.slice(0, 8)], [0, 0, 1, 1, 0, 0, 1, 1], "token (0, 0)");
  // token (1, 2): column 2, row 1; omega = [1, 10000^(-1/2) = 0.01]
  const token = embedding.slice(5 * 8, 6 * 8);
  const expected = [
    Math.sin(2),
    Math.sin(0.02),
    Math.cos(2),
    Math.cos(0.02),
    Math.sin(1),
    Math.sin(0.01),
    Math.cos(1),
    Math.cos(0.01),
  ];
  assertClose(token, expected, 1e-7, "token (1, 2)");
  assert.throws(() => sincosPositionEmbedding(2, 2, 6), /multiple of 4/);
});
