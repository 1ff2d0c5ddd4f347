import assert from "node:assert/strict";
import { test } from "node:test";
import {
  isRunningStatistic,
  isRunningVariance,
  RUNNING_MEAN,
  RUNNING_VAR,
  runningStatisticName,
} from "../../src/artifact/format/norm-names.js";
import { BatchNorm } from "../../src/nn/index.js";

test("BatchNorm's running statistics are the buffers the format names", () => {
  const norm = new BatchNorm({ channels: 3, affine: true, momentum: 0.1, eps: 1e-5 });
  try {
    const buffers = norm.namedBuffers();
    assert.deepEqual(
      buffers.map(([name]) => name),
      [RUNNING_MEAN, RUNNING_VAR],
    );
    assert.equal(buffers[0]?.[1], norm.runningMean);
    assert.equal(buffers[1]?.[1], norm.runningVar);
  } finally {
    norm.dispose();
  }
  assert.equal(runningStatisticName("stem.1", RUNNING_VAR), "stem.1.runningVar");
  assert.ok(isRunningVariance("blocks.0.norm.runningVar"));
  assert.ok(!isRunningVariance("blocks.0.norm.runningMean"));
  assert.ok(isRunningStatistic("norm.runningMean") && !isRunningStatistic("norm.weight"));
  assert.ok(!isRunningStatistic("runningVariance"));
});
