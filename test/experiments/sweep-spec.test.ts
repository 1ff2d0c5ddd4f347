import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { describeLabels, expandSweep, parseSetting } from "../../src/experiments/expand-sweep.js";
import { PRESET_NAMES, presetSpec } from "../../src/experiments/presets/index.js";
import { runId } from "../../src/experiments/run-id.js";
import { parseSweepSpec, type SweepSpecInput } from "../../src/experiments/sweep-spec.js";
import { parseRunConfig } from "../../src/run/index.js";

const tinySpec = (over: Partial<SweepSpecInput> = {}): SweepSpecInput => ({
  name: "tiny",
  title: "Tiny",
  description: "an MLP",
  figure: "representation",
  base: { model: { name: "mlp", hidden: [8] }, train: { epochs: 1 } },
  axes: {
    method: [
      { label: "mask", config: { strategy: { kind: "mask" } } },
      { label: "RP 1e-2", config: { strategy: { kind: "rp", ratio: 0.01 } } },
    ],
    seed: [
      { label: "0", config: { seed: 0 } },
      { label: "1", config: { seed: 1 } },
    ],
  },
  ...over,
});

test("a spec with a missing or wrong field is refused, naming the field", () => {
  const { name: _, ...nameless } = tinySpec();
  assert.throws(() => parseSweepSpec(nameless), /name is required[\s\S]*→ at name/);
  assert.throws(() => parseSweepSpec({ ...tinySpec(), figure: "fig3" }), /at figure/);
  assert.throws(
    () => parseSweepSpec({ ...tinySpec(), axes: { method: [{ label: "x", config: 3 }] } }),
    /must be an object: a part of a run config[\s\S]*at axes\.method\[0\]\.config/,
  );
  assert.throws(() => parseSweepSpec(tinySpec({ axes: { method: [] } })), /at least one value/);
  assert.throws(() => parseSweepSpec({ ...tinySpec(), extra: 1 }), /Unrecognized key: "extra"/);
  assert.throws(() => parseSweepSpec({ ...tinySpec(), pack: { norm: "int4" } }), /at pack\.norm/);
  // Unsaid, a sweep packs as `pemn pack` does unsaid.
  assert.deepEqual(parseSweepSpec(tinySpec()).pack, { norm: "fp32", foldNorms: false });
  assert.deepEqual(parseSweepSpec(tinySpec({ pack: { foldNorms: true } })).pack, {
    norm: "fp32",
    foldNorms: true,
  });
  assert.throws(
    () => parseSweepSpec(tinySpec({ axes: { method: [{ label: "a" }, { label: "a" }] } })),
    /"a" appears twice\n {2}→ at axes\.method\[1\]\.label/,
  );
});

test("a when condition must name an earlier axis and one of its labels", () => {
  const later = tinySpec({
    axes: {
      ratio: [{ label: "90%", when: { method: ["mask"] } }],
      method: [{ label: "mask" }],
    },
  });
  assert.throws(
    () => parseSweepSpec(later),
    /a condition names an earlier axis \(none\)\n {2}→ at axes\.ratio\[0\]\.when\.method/,
  );
  const unknown = tinySpec({
    axes: { method: [{ label: "mask" }], ratio: [{ label: "90%", when: { method: ["pruned"] } }] },
  });
  assert.throws(() => parseSweepSpec(unknown), /axis method has no value "pruned"/);
});

test("the grid is the product of the axes, first axis outermost, then the explicit runs", () => {
  const runs = expandSweep(
    parseSweepSpec(
      tinySpec({
        runs: [{ labels: { method: "dense" }, config: { strategy: { kind: "dense" } } }],
      }),
    ),
  );
  assert.deepEqual(
    runs.map((run) => describeLabels(run.labels)),
    [
      "method=mask, seed=0",
      "method=mask, seed=1",
      "method=RP 1e-2, seed=0",
      "method=RP 1e-2, seed=1",
      "method=dense",
    ],
  );
  assert.deepEqual(
    runs.map((run) => [run.index, run.config.strategy.kind, run.config.seed]),
    [
      [0, "mask", 0],
      [1, "mask", 1],
      [2, "rp", 0],
      [3, "rp", 1],
      [4, "dense", 0],
    ],
  );
});

test("an axis whose values do not apply to a combination is left out of its runs", () => {
  const spec = parseSweepSpec(
    tinySpec({
      axes: {
        method: [
          { label: "mask", config: { strategy: { kind: "mask" } } },
          { label: "rp", config: { strategy: { kind: "rp" } } },
        ],
        ratio: ["0.1", "0.01"].map((label) => ({
          label,
          config: { strategy: { ratio: Number(label) } },
          when: { method: ["rp"] },
        })),
      },
    }),
  );
  assert.deepEqual(
    expandSweep(spec).map((run) => describeLabels(run.labels)),
    ["method=mask", "method=rp, ratio=0.1", "method=rp, ratio=0.01"],
  );
});

test("a run whose config is invalid fails the expansion, naming the run by its labels", () => {
  const spec = parseSweepSpec(
    tinySpec({
      axes: {
        method: [
          { label: "mask", config: { strategy: { kind: "mask" } } },
          { label: "RP 2", config: { strategy: { kind: "rp", ratio: 2 } } },
        ],
      },
    }),
  );
  assert.throws(
    () => expandSweep(spec),
    /sweep tiny, run 2 \(method=RP 2\): invalid run config:[\s\S]*at strategy\.ratio/,
  );
  assert.throws(
    () => expandSweep(parseSweepSpec(tinySpec()), [parseSetting("train.epochs=-1")]),
    /run 1 \(method=mask, seed=0\)[\s\S]*train\.epochs must be >= 0/,
  );
});

test("two runs of the same config are refused", () => {
  const spec = parseSweepSpec(
    tinySpec({ axes: { method: [{ label: "mask" }, { label: "also mask" }] } }),
  );
  assert.throws(
    () => expandSweep(spec),
    /runs 1 \(method=mask\) and 2 \(method=also mask\) have the same config/,
  );
});

test("--set patches every run, its value read as YAML", () => {
  assert.deepEqual(parseSetting("train.epochs=0"), { train: { epochs: 0 } });
  assert.deepEqual(parseSetting("data.source.dir=/data/c10"), {
    data: { source: { dir: "/data/c10" } },
  });
  assert.deepEqual(parseSetting("model.hidden=[4, 4]"), { model: { hidden: [4, 4] } });
  assert.throws(() => parseSetting("epochs"), /expected path\.to\.field=value/);
  assert.throws(() => parseSetting("train..epochs=1"), /expected path\.to\.field=value/);
  const runs = expandSweep(parseSweepSpec(tinySpec()), [parseSetting("train.epochs=0")]);
  assert.deepEqual(
    runs.map((run) => run.config.train.epochs),
    [0, 0, 0, 0],
  );
});

/** An independent canonical form: keys sorted by code unit, written by hand. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

test("a run's id is the sha256 of its complete config, whatever order or defaults it was written in", () => {
  const written = {
    seed: 3,
    model: { hidden: [8], name: "mlp" },
    train: { epochs: 1 },
  };
  const reordered = {
    train: { epochs: 1, batchSize: 128 },
    model: { name: "mlp", hidden: [8] },
    seed: 3,
    keepFraction: 0.5,
    strategy: { kind: "mask" },
  };
  const config = parseRunConfig(written);
  const expected = createHash("sha256").update(canonical(config)).digest("hex").slice(0, 24);
  assert.equal(runId(config), expected);
  assert.match(expected, /^[0-9a-f]{24}$/);
  assert.equal(runId(parseRunConfig(reordered)), expected);
  // The stored config (run-config.json) read back names the same run.
  assert.equal(runId(parseRunConfig(JSON.parse(JSON.stringify(config)))), expected);
  const ids = expandSweep(parseSweepSpec(tinySpec())).map((run) => run.runId);
  assert.equal(new Set(ids).size, 4);
  assert.notEqual(runId(parseRunConfig({ ...written, seed: 4 })), expected);
});

/** Runs of each preset, counted from the paper's grids by hand. */
const EXPECTED_RUNS: Record<string, number> = {
  "fig3-fashion": 2 * 9 * 3, // 2 backbones x (dense, mask, one-layer, MP, 5 RP) x 3 seeds
  "fig4-fashion": 2 * (4 + 2 * 4) * 3, // (dense, MP, 2 RP, 2 criteria x 4 ratios) x 3 seeds
  "fig3-cifar10": 8 * 9 * 3, // ConvMixer and ViT at depth 6/8 x dim 256/512
  "fig4-cifar10": 2 * (4 + 2 * 4) * 3,
  "fig4-cifar100": 2 * (4 + 2 * 4) * 3,
  "fig5-cifar10": 2 * (1 + 3 + 2 * 4) * 3, // (dense, 3 RP, 2 criteria x 4 ratios)
  "fig3-tiny": 1 * 9 * 3, // ConvMixer-256/8 x (dense, mask, one-layer, MP, 5 RP) x 3 seeds
  "imagenet100-resnet50": 1 + 3 + 3, // dense, 3 RP, magnitude pruning at 3 ratios; one seed
  "smallest-fashion": 6 * 4 * 3, // (2 PEMN, 8-bit, 4-bit, binary, magnitude pruning) x 4 budgets x 3 seeds
};

test("every preset expands and validates", () => {
  assert.deepEqual([...PRESET_NAMES].sort(), Object.keys(EXPECTED_RUNS).sort());
  for (const name of PRESET_NAMES) {
    const spec = presetSpec(name);
    assert.equal(spec.name, name);
    assert.equal(expandSweep(spec).length, EXPECTED_RUNS[name], name);
  }
});
