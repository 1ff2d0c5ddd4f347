import assert from "node:assert/strict";
import { test } from "node:test";
import { normalisesEveryMaskedLayer } from "../../src/models/index.js";
import type { LayerDeclaration } from "../../src/models/network-layout.js";
import { parseRunConfig } from "../../src/run/index.js";

const masked = (name: string): LayerDeclaration => ({
  kind: "linear",
  spec: { name, shape: [4, 4], fanIn: 4 },
});
const norm = (name: string): LayerDeclaration => ({
  kind: "batchNorm",
  name,
  features: 4,
  affine: true,
  eps: 1e-5,
  momentum: 0.1,
});
const layout = (declarations: LayerDeclaration[]) => ({
  declarations,
  maskedLayers: [],
  forwardMacs: 0,
});

test("a norm must follow every masked layer but the classifier", () => {
  assert.equal(normalisesEveryMaskedLayer(layout([masked("a"), norm("n"), masked("head")])), true);
  assert.equal(
    normalisesEveryMaskedLayer(layout([masked("a"), masked("b"), norm("n"), masked("head")])),
    false,
  );
  assert.equal(normalisesEveryMaskedLayer(layout([masked("a"), masked("head")])), false);
  assert.equal(normalisesEveryMaskedLayer(layout([masked("head")])), true);
});

test("mp and rp rescale by fan-in where norms do not follow every layer, unless the config says", () => {
  const rescale = (model: object, strategy: object) => {
    const { strategy: parsed } = parseRunConfig({ model, strategy });
    return "rescale" in parsed ? parsed.rescale : undefined;
  };
  // Conv-4 has no norm layer at all; ConvMixer and ResNet follow every conv with BatchNorm.
  assert.equal(rescale({ name: "conv", depth: 4 }, { kind: "rp", ratio: 0.01 }), "fan-in");
  assert.equal(rescale({ name: "conv", depth: 4 }, { kind: "mp" }), "fan-in");
  assert.equal(
    rescale({ name: "conv", depth: 4 }, { kind: "rp", ratio: 0.01, rescale: "none" }),
    "none",
  );
  assert.equal(rescale({ name: "convmixer" }, { kind: "mp" }), "none");
  assert.equal(rescale({ name: "resnet", depth: 20 }, { kind: "rp", ratio: 0.01 }), "none");
  assert.equal(rescale({ name: "convmixer" }, { kind: "mp", rescale: "fan-in" }), "fan-in");
  // Stored configs say it: parsing config.json again gives the same.
  const stored = parseRunConfig({ model: { name: "conv", depth: 4 }, strategy: { kind: "mp" } });
  assert.deepEqual(parseRunConfig(JSON.parse(JSON.stringify(stored))).strategy, stored.strategy);
});
