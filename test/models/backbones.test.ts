import assert from "node:assert/strict";
import { test } from "node:test";
import { BACKBONES, parseModelConfig } from "../../src/models/index.js";
import { CIFAR, FASHION_MNIST } from "./model-test-values.js";
import { checkTrainPackExport } from "./train-pack-export.js";

/*
 * Every registered backbone, at its small config on both image shapes, through what a user
 * does with it: build, train a step, pack, decode, rebuild, export to ONNX. A backbone is
 * covered here by registering it.
 */

for (const backbone of BACKBONES) {
  for (const input of [CIFAR, FASHION_MNIST]) {
    const label = `${backbone.name} ${JSON.stringify(backbone.small)} on ${input.channels}x${input.height}x${input.width}`;
    test(`registered backbone ${label}: build, train a step, pack, decode, ONNX`, async () => {
      await checkTrainPackExport({ name: backbone.name, input, classes: 10, ...backbone.small });
    });
  }
}

test("the registry names each backbone once; every flag names a field of its schema, read alike by every backbone that has it", () => {
  const names = BACKBONES.map((backbone) => backbone.name);
  assert.equal(new Set(names).size, names.length);
  const flagValues = new Map<string, string>();
  for (const flag of BACKBONES.flatMap((backbone) => backbone.flags)) {
    assert.equal(flagValues.get(flag.field) ?? flag.value, flag.value, `--${flag.field}`);
    flagValues.set(flag.field, flag.value);
  }
  for (const backbone of BACKBONES) {
    const config = parseModelConfig({ name: backbone.name, input: CIFAR, classes: 10 });
    for (const flag of backbone.flags) {
      assert.ok(flag.field in config, `${backbone.name}: --${flag.field} sets no config field`);
    }
    assert.ok(backbone.summary.length > 0);
  }
});
