import assert from "node:assert/strict";
import { test } from "node:test";
import { availableMemoryBytes } from "../../src/io/machine-memory.js";

test("PEMN_MAX_MEMORY sets the budget; without it, part of what the system has free", () => {
  assert.equal(availableMemoryBytes({ PEMN_MAX_MEMORY: "4G" }), 4 * 2 ** 30);
  assert.equal(availableMemoryBytes({ PEMN_MAX_MEMORY: "512MiB" }), 512 * 2 ** 20);
  assert.equal(availableMemoryBytes({ PEMN_MAX_MEMORY: "1000" }), 1000);
  assert.throws(() => availableMemoryBytes({ PEMN_MAX_MEMORY: "lots" }), /PEMN_MAX_MEMORY=lots/);
  const measured = availableMemoryBytes({});
  assert.ok(measured > 0 && measured < 2 ** 50);
});
