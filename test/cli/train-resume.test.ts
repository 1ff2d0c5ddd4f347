import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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

test("train --resume --epochs N extends a run (the schedule's new span said), never shortens it", async () => {
  const parent = mkdtempSync(join(tmpdir(), "pemn-extend-"));
  const runDir = join(parent, "run");
  try {
    const first = await runPemn(
      ...[
        "train",
        "--model",
        "mlp",
        "--epochs",
        "1",
        "--train-limit",
        "300",
        "--val-fraction",
        "0",
      ],
      ...["--run-dir", runDir, "--progress", "none"],
    );
    assert.equal(first.status, 0, first.stderr);
    const extended = await runPemn(
      "train",
      "--run-dir",
      runDir,
      "--resume",
      "--epochs",
      "3",
      "--progress",
      "none",
    );
    assert.equal(extended.status, 0, extended.stderr);
    assert.match(
      extended.stderr,
      /extending the run from 1 to 3 epochs: the piecewise-linear schedule now spans 3 epochs, so epochs 2-3/,
    );
    assert.equal(JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")).train.epochs, 3);
    const metrics = readFileSync(join(runDir, "metrics.jsonl"), "utf8").trim().split("\n");
    assert.deepEqual(
      metrics.map((line) => JSON.parse(line).epoch),
      [1, 2, 3],
    );
    const shorter = await runPemn("train", "--run-dir", runDir, "--resume", "--epochs", "2");
    assert.notEqual(shorter.status, 0);
    assert.match(shorter.stderr, /asks for 3 epochs; a resume may ask for more/);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
