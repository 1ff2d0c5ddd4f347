import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cudaStatus } from "../../src/engine/index.js";
import { parseTrainConfig } from "../../src/train/index.js";
import { StepPrecision } from "../../src/train/precision.js";
import { runPemn } from "../helpers/run-pemn.js";

const base = { epochs: 1, batchSize: 8, optimizer: { kind: "adamw", lr: 0.01 } } as const;

test("precision: absent stays absent (old runs' configs compare equal), the three names parse, others are refused", () => {
  assert.equal("precision" in parseTrainConfig(base), false);
  for (const precision of ["fp32", "bf16", "fp16"]) {
    assert.equal(parseTrainConfig({ ...base, precision }).precision, precision);
  }
  assert.throws(
    () => parseTrainConfig({ ...base, precision: "fp8" }),
    /precision must be one of fp32, bf16, fp16/,
  );
});

test("mixed precision on the CPU is refused, naming what would run", () => {
  for (const precision of ["bf16", "fp16"] as const) {
    assert.throws(() => new StepPrecision(precision, "cpu"), /needs a CUDA device.*use fp32/);
  }
  const fp32 = new StepPrecision("fp32", "cpu");
  assert.equal(
    fp32.forward(() => 7),
    7,
  );
  assert.equal(fp32.unscaleFinite([]), true);
  fp32.dispose();
});

test("pemn train --device cuda without CUDA exits naming the cause, and leaves no run directory", {
  skip: cudaStatus().devices.length > 0,
}, async () => {
  const runDir = join(mkdtempSync(join(tmpdir(), "pemn-device-")), "run");
  const result = await runPemn("train", "--device", "cuda", "--epochs", "0", "--run-dir", runDir);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /--device cuda: .*(without CUDA|no GPU)/);
  assert.equal(existsSync(runDir), false);
});
