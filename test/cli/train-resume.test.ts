import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runPemn } from "../helpers/run-pemn.js";

test("train --run-dir R --resume reads R's config (not the defaults); a flag that differs from it is named", async () => {
  const parent = mkdtempSync(join(tmpdir(), "pemn-resume-cli-"));
  const runDir = join(parent, "run");
  try {
    const first = await runPemn(
      ...["train", "--model", "mlp", "--epochs", "1", "--train-limit", "300", "--seed", "3"],
      ...["--lr", "0.02", "--val-fraction", "0", "--run-dir", runDir, "--progress", "none"],
    );
    assert.equal(first.status, 0, first.stderr);
    const resumed = await runPemn("train", "--run-dir", runDir, "--resume", "--progress", "none");
    assert.equal(resumed.status, 0, resumed.stderr);
    const differing = await runPemn("train", "--run-dir", runDir, "--resume", "--lr", "0.5");
    assert.notEqual(differing.status, 0);
    assert.match(differing.stderr, /train\.optimizer\.lr differ/);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
