import assert from "node:assert/strict";
import { test } from "node:test";
import { reportClaims, resultRows } from "../../src/experiments/report/index.js";
import { sizePlot, spreadLabels } from "../../src/experiments/report/plot-specs.js";
import { meanSd } from "../../src/experiments/report/result-rows.js";
import { scientific } from "../../src/experiments/report/run-method.js";
import { sweepRecordSchema } from "../../src/experiments/sweep-record.js";
import {
  compressionRecords,
  makeRecord,
  representationRecords,
  sizeRecords,
  storedFile,
} from "./report-fixtures.js";

const close = (actual: number | null | undefined, expected: number, what: string) =>
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-12,
    `${what}: ${actual} != ${expected}`,
  );

test("the hand-made records hold to the sweep record contract", () => {
  for (const record of representationRecords()) sweepRecordSchema.parse(record);
  // Pruned summaries add fields the contract does not have yet; the rest must still hold.
  for (const record of compressionRecords()) {
    if (record.status !== "ok") continue;
    const { target_compression, achieved_compression, sparsity, kept_weights, ...summary } =
      record.summary;
    sweepRecordSchema.parse({ ...record, summary });
  }
});

test("mean and sample standard deviation", () => {
  const three = meanSd([0.9, 0.92, 0.91]);
  close(three?.mean, 0.91, "mean");
  close(three?.sd, 0.01, "sd"); // sqrt((0.0001 + 0.0001 + 0) / 2)
  assert.deepEqual(meanSd([0.5]), { mean: 0.5, sd: null, n: 1 });
  assert.equal(meanSd([]), null);
});

test("representation rows: ordered by unique values, means and sds over seeds, failed and missing seeds", () => {
  const rows = resultRows(representationRecords());
  assert.deepEqual(
    rows.map((row) => row.method),
    ["dense", "mask", "one-layer", "MP", "RP 1e-1", "RP 1e-2", "RP 1e-3"],
  );
  const expected: Record<string, [number, number]> = {
    dense: [0.94, 0.01],
    mask: [0.91, 0.01],
    "one-layer": [0.91, 0.02],
    MP: [0.91, Math.sqrt(0.0003)], // deviations -.01 -.01 .02: (1 + 1 + 4)e-4 / 2
    "RP 1e-1": [0.9, 0.02],
    "RP 1e-2": [0.86, Math.sqrt(0.0002)], // two seeds: (1 + 1)e-4 / 1
    "RP 1e-3": [0.82, Math.sqrt(0.0008)], // (4 + 4)e-4 / 1
  };
  for (const row of rows) {
    const [mean, sd] = expected[row.method] as [number, number];
    close(row.accuracy?.mean, mean, `${row.method} mean`);
    close(row.accuracy?.sd ?? null, sd, `${row.method} sd`);
  }
  const byMethod = new Map(rows.map((row) => [row.method, row]));
  assert.deepEqual(byMethod.get("RP 1e-2")?.seeds, [0, 1]);
  assert.deepEqual(byMethod.get("RP 1e-2")?.failed, []);
  assert.deepEqual(byMethod.get("RP 1e-3")?.seeds, [0, 1]);
  assert.deepEqual(
    byMethod.get("RP 1e-3")?.failed.map((run) => [run.seed, run.error]),
    [[2, "out of memory"]],
  );
  const mask = byMethod.get("mask");
  assert.deepEqual(
    mask?.packed.map((file) => [file.values, file.minBytes, file.maxBytes]),
    [
      ["seed", 12_600, 12_602],
      ["stored", 20_000, 20_000],
    ],
  );
  // The smallest file of each run (the seed file) gives the measured ratio.
  close(mask?.compressionWithoutNorms, 0.968, "mask compression");
  close(mask?.compressionWithNorms, 0.9, "mask compression with norms");
  close(byMethod.get("dense")?.compressionWithoutNorms, 0, "dense compression");
  close(mask?.trainSeconds, 9, "train seconds");
});

test("compression rows: baselines by method and target ratio, with the sparsity the ratio required", () => {
  const rows = resultRows(compressionRecords());
  assert.deepEqual(
    rows.map((row) => [row.method, row.targetCompression]),
    [
      ["dense", null],
      ["MP", null],
      ["RP 1e-1", null],
      ["RP 1e-2", null],
      ["magnitude pruning", 0.9],
      ["magnitude pruning", 0.92],
      ["magnitude pruning", 0.94],
      ["magnitude pruning", 0.96],
      ["random pruning", 0.9],
      ["random pruning", 0.92],
      ["random pruning", 0.94],
      ["random pruning", 0.96],
    ],
  );
  const last = rows.find(
    (row) => row.method === "magnitude pruning" && row.targetCompression === 0.96,
  );
  assert.equal(last?.failed.length, 1);
  assert.deepEqual(last?.accuracy, { mean: 0.83, sd: null, n: 1 });
  close(last?.sparsity, 0.99, "sparsity");
  close(last?.compressionWithoutNorms, 0.9604, "measured");
  assert.equal(rows.find((row) => row.method === "MP")?.sparsity, null);
});

test("representation checks: the drop from mask against twice the larger sd", () => {
  const [claims] = reportClaims("representation", resultRows(representationRecords()));
  assert.equal(claims?.heading, "convmixer-256/8");
  const checks = claims?.checks ?? [];
  const line = (prefix: string) => checks.find((check) => check.startsWith(prefix)) ?? "";
  assert.match(line("dense"), /mask is 3\.00 points below dense/);
  assert.match(line("RP 1e-1"), /1\.00 points below mask; within 2 sd \(4\.00 points/);
  // 2 x max(0.01, sqrt(0.0002)) = 2.83 points < 5 points
  assert.match(line("RP 1e-2"), /5\.00 points below mask; exceeds 2 sd \(2\.83 points/);
  assert.match(line("RP 1e-3"), /9\.00 points below mask; exceeds 2 sd \(5\.66 points/);
  assert.match(line("largest"), /9\.00 points at RP 1e-3/);
});

test("compression checks: the best PEMN point at or above each target against both baselines", () => {
  const [claims] = reportClaims("compression", resultRows(compressionRecords()));
  const checks = claims?.checks ?? [];
  assert.equal(checks.length, 4);
  // MP (.87, at 96.8%) is the best PEMN point at every target; magnitude .89 at 90% beats it.
  assert.match(
    checks[0] ?? "",
    /^at 90\.0% target: .*best PEMN at or above it: MP \(96\.80% measured\) 87\.00%; above every baseline: no$/,
  );
  assert.match(checks[1] ?? "", /magnitude pruning 88\.00%.*above every baseline: no$/);
  assert.match(
    checks[2] ?? "",
    /magnitude pruning 86\.00%, random pruning 83\.00%.*above every baseline: yes$/,
  );
  assert.match(
    checks[3] ?? "",
    /at 96\.0% target: magnitude pruning 83\.00%, random pruning 80\.00%.*above every baseline: yes$/,
  );
});

test("PEMN labels are spread at least a gap apart, in the domain", () => {
  const placed = spreadLabels([3, 1, 1.05], 0.2, [0, 10]);
  close(placed[0], 3, "far label stays");
  close(placed[1], 1, "lowest stays");
  close(placed[2], 1.2, "pushed up by one gap");
  const top = spreadLabels([9.9, 9.95], 0.2, [0, 10]);
  // pushed to 9.9 and 10.1, then down by 0.2 so the top one sits a half gap inside
  close(top[0], 9.7, "shifted lower");
  close(top[1], 9.9, "shifted upper");
});

test("an axis the table does not show (learning rate) tells rows apart and is named in the method", () => {
  const records = [0.3, 0.5].flatMap((lr) =>
    [0, 1].map((seed) =>
      makeRecord("lr-test", {
        backbone: "resnet20",
        strategy: { kind: "mask" },
        seed,
        outcome: { accuracy: lr + seed / 100 },
        config: { train: { optimizer: { kind: "adamw", lr } } },
        labels: { lr: String(lr) },
      }),
    ),
  );
  const rows = resultRows(records);
  assert.deepEqual(
    rows.map((row) => [row.method, row.seeds]),
    [
      ["mask [lr 0.3]", [0, 1]],
      ["mask [lr 0.5]", [0, 1]],
    ],
  );
  close(rows[0]?.accuracy?.mean, 0.305, "lr 0.3 mean");
});

test("quantized and binary runs are their own baseline family, after PEMN and pruning", () => {
  const records = [
    { kind: "binary" },
    { kind: "quantized", bits: 4 },
    { kind: "mask" },
    { kind: "quantized" },
  ].map((strategy, seed) =>
    makeRecord("quantized-test", {
      backbone: "resnet20",
      strategy,
      seed,
      outcome: { accuracy: 0.8 },
    }),
  );
  assert.deepEqual(
    resultRows(records).map((row) => [row.family, row.method]),
    [
      ["pemn", "mask"],
      ["quantized", "4-bit quantized"],
      ["quantized", "8-bit quantized"],
      ["quantized", "binary"],
    ],
  );
});

test("RP ratios are written as the paper writes them", () => {
  assert.equal(scientific(0.1), "1e-1");
  assert.equal(scientific(0.001), "1e-3");
  assert.equal(scientific(0.05), "5e-2");
  assert.equal(scientific(1), "1");
});

test("runs near chance are flagged, and no check states a claim from them", () => {
  // The same sweeps, every run at 10-12% on 10 classes: they learned next to nothing.
  const atChance = (records: ReturnType<typeof compressionRecords>) =>
    records.map((record, index) =>
      record.status === "ok"
        ? {
            ...record,
            summary: {
              ...record.summary,
              model: { ...record.summary.model, classes: 10 },
              test_accuracy: 0.1 + (index % 3) / 100,
            },
          }
        : record,
    );
  const [compression] = reportClaims("compression", resultRows(atChance(compressionRecords())));
  const checks = compression?.checks ?? [];
  assert.ok(
    checks.some((check) =>
      /^warning: MP is near chance \(1\d\.\d\d% with 10 classes\)/.test(check),
    ),
  );
  assert.ok(checks.some((check) => /no claim: a run near chance$/.test(check)));
  assert.ok(
    !checks.some((check) => /above every baseline: (yes|no)/.test(check)),
    checks.join("\n"),
  );
  const [representation] = reportClaims(
    "representation",
    resultRows(atChance(representationRecords())),
  );
  assert.ok(!(representation?.checks ?? []).some((check) => /(exceeds|within) 2 sd/.test(check)));
  // At 15% and above (1.5x chance) a run counts as having learned.
  const [learned] = reportClaims("compression", resultRows(compressionRecords()));
  assert.ok(!(learned?.checks ?? []).some((check) => check.startsWith("warning:")));
});

test("size rows: a keep fraction of its own names the method, bytes are the mean smallest file", () => {
  const rows = resultRows(sizeRecords());
  const row = (method: string, budget: string) => {
    const found = rows.find(
      (candidate) => candidate.method === method && candidate.budget === budget,
    );
    assert.ok(found, `${method} at ${budget}`);
    return found;
  };
  close(row("mask", "8 KB").bytes?.mean, 8001, "mask 8 KB bytes");
  close(row("mask", "8 KB").accuracy?.mean, 0.87, "mask 8 KB accuracy");
  close(row("mask, keep 0.2", "8 KB").bytes?.mean, 8100, "keep 0.2 bytes");
  close(row("8-bit quantized", "16 KB").accuracy?.mean, 0.92, "8-bit 16 KB accuracy");
  assert.equal(rows.length, 5);
  // Widths in backbone names compare as numbers, not as text (where 100 < 20 < 24).
  assert.deepEqual(
    rows.map((candidate) => candidate.backbone),
    ["ConvMixer-20/4", "ConvMixer-24/4", "ConvMixer-88/4", "ConvMixer-100/4", "ConvMixer-104/4"],
  );
});

test("size checks: per budget, the best PEMN against the best baseline, with 2 sd", () => {
  const groups = reportClaims("size", resultRows(sizeRecords()));
  assert.deepEqual(
    groups.map((group) => group.heading),
    ["budget 8 KB", "budget 16 KB"],
  );
  const [eight, sixteen] = groups;
  // 8 KB: mask .87 (sd .0141) against 8-bit .82 (sd .0283): 5 points, 2 sd = 5.66 points.
  assert.equal(
    eight?.checks.at(-1),
    "best PEMN mask against best baseline 8-bit quantized: PEMN ahead by 5.00 points; within 2 sd (5.66 points; sd the larger of the two)",
  );
  assert.match(
    eight?.checks[0] ?? "",
    /^mask \(ConvMixer-88\/4\): 87\.0+% ± 1\.4\d*% in 8,001 bytes$/,
  );
  // 16 KB: mask .90 against 8-bit .92.
  assert.match(sixteen?.checks.at(-1) ?? "", /PEMN behind by 2\.00 points; within 2 sd/);
});

test("the size plot leaves a near-chance network out of its axis and names it", () => {
  const atChance = makeRecord("size-test", {
    backbone: "ConvMixer-128/4",
    strategy: { kind: "binary" },
    seed: 0,
    outcome: { accuracy: 0.12 },
    // Chance is one over the model's classes.
    config: { model: { name: "convmixer", dim: 128, depth: 4, classes: 10 } },
    labels: { budget: "8 KB" },
    packed: [storedFile(8400, 0.9, 0.9)],
  });
  const spec = sizePlot(resultRows([...sizeRecords(), atChance])) as unknown as {
    data: { values: { label: string }[] };
    title: { subtitle: string[] };
  };
  assert.equal(spec.data.values.length, 5, "the five learned rows");
  assert.ok(!spec.data.values.some((value) => value.label === "binary"));
  assert.equal(spec.title.subtitle[1], "not drawn, near chance: binary 8 KB (12.00%)");
});
