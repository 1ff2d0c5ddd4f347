import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { IMAGENET100_CLASSES } from "../../src/data/index.js";
import { expandSweep } from "../../src/experiments/expand-sweep.js";
import { IMAGENET100_SOURCE } from "../../src/experiments/presets/imagenet-presets.js";
import { presetSpec } from "../../src/experiments/presets/index.js";

test("ImageNet-100's classes: CMC's 100 WordNet IDs, sorted into label order", () => {
  assert.equal(IMAGENET100_CLASSES.length, 100);
  assert.equal(new Set(IMAGENET100_CLASSES).size, 100);
  assert.ok(IMAGENET100_CLASSES.every((id) => /^n\d{8}$/.test(id)));
  assert.deepEqual([...IMAGENET100_CLASSES].sort(), IMAGENET100_CLASSES);
  // The first and last lines of CMC's imagenet100.txt.
  assert.ok(IMAGENET100_CLASSES.includes("n02869837"));
  assert.ok(IMAGENET100_CLASSES.includes("n02090622"));
});

test("imagenet100-resnet50: the user's image folder at 224x224, its 100 classes named, without reading it", () => {
  assert.deepEqual(IMAGENET100_SOURCE, {
    name: "folder",
    dir: "imagenet100",
    size: 224,
    classes: IMAGENET100_CLASSES,
  });
  // No folder here: the named classes let every run's config validate without it.
  const runs = expandSweep(presetSpec("imagenet100-resnet50"));
  // dense, RP 1e-1 / 1e-2 / 1e-3, magnitude pruning at 92 / 94 / 96%: one seed each.
  assert.deepEqual(
    runs.map((run) => [run.labels.method, run.labels.compression].filter(Boolean).join(" ")),
    [
      "dense",
      "RP 1e-1",
      "RP 1e-2",
      "RP 1e-3",
      "magnitude pruning 92%",
      "magnitude pruning 94%",
      "magnitude pruning 96%",
    ],
  );
  for (const run of runs) {
    assert.deepEqual(run.config.model.input, { channels: 3, height: 224, width: 224 });
    assert.equal(run.config.model.classes, 100);
    assert.equal(run.config.model.name, "imagenet-resnet");
    assert.equal((run.config.model as { depth: number }).depth, 50);
  }
});

test("docs/data.md lists the same ImageNet-100 classes as the code", () => {
  const docs = readFileSync(new URL("../../docs/data.md", import.meta.url), "utf8");
  const section = docs.slice(docs.indexOf("### ImageNet-100"), docs.indexOf("### File layouts"));
  assert.deepEqual(section.match(/\bn\d{8}\b/g), IMAGENET100_CLASSES);
});
