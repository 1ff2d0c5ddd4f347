import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeModel,
  decodeModelBytes,
  encodePemn,
  type PemnContents,
  PemnModelError,
  type PemnModelProblem,
  unpackMask,
} from "../../src/artifact/index.js";
import { maskedLayout, parseModelConfig } from "../../src/models/pure.js";
import { planWeights, type WeightStrategy } from "../../src/weights/index.js";
import { convMixerFixture, fixtureContents } from "./pemn-fixtures.js";
import { assertSameBits } from "./same-bits-assert.js";

const convMixer256x8 = convMixerFixture(256, 8);
const RP: WeightStrategy = { kind: "rp", ratio: 1e-3, order: "copy", rescale: "none" };

function contentsFor(strategy: WeightStrategy, seed = 3): PemnContents {
  return fixtureContents({ seed, ...convMixer256x8, strategy });
}

/** W * M computed here from the plan: a dropped weight is +0 or -0 with the sign of W. */
function expectedWeights(
  contents: PemnContents,
  strategy: WeightStrategy,
): Map<string, Float32Array> {
  const plan = planWeights({
    strategy,
    seed: contents.generator.seed,
    layers: maskedLayout(parseModelConfig(contents.model)),
  });
  return new Map(
    plan.layers.map((layer, index) => {
      const flags = unpackMask(contents.maskedLayers[index]?.mask as Uint8Array, layer.size);
      return [
        layer.name,
        Float32Array.from(layer.values, (value, i) => (flags[i] ? value : value < 0 ? -0 : 0)),
      ];
    }),
  );
}

for (const strategy of [{ kind: "mask" }, RP] as const) {
  test(`ConvMixer-256/8 ${strategy.kind}, seed mode: decoded weights are the plan's values times the masks`, (t) => {
    const contents = contentsFor(strategy);
    const bytes = encodePemn(contents);
    const started = performance.now();
    const decoded = decodeModelBytes(bytes);
    t.diagnostic(
      `${bytes.length} bytes to ready weights in ${(performance.now() - started).toFixed(0)} ms`,
    );
    const expected = expectedWeights(contents, strategy);
    assert.deepEqual([...decoded.maskedWeights.keys()], [...expected.keys()]);
    for (const [name, weights] of expected) {
      assertSameBits(decoded.maskedWeights.get(name)?.values as Float32Array, weights, name);
    }
    assert.equal(decoded.model.name, "convmixer");
    assert.deepEqual(decoded.strategy, strategy);
    assert.deepEqual(
      [...decoded.normTensors.keys()],
      contents.norms.map((norm) => norm.name),
    );
  });
}

test("stored values are tiled: an RP prototype stored once gives every layer its values", () => {
  const seeded = contentsFor(RP, 9);
  const plan = planWeights({
    strategy: RP,
    seed: 9,
    layers: maskedLayout(parseModelConfig(seeded.model)),
  });
  const largest = plan.layers.find((layer) => layer.size === 65_536);
  const prototype = largest?.values.slice(0, plan.uniqueValues) as Float32Array;
  const stored: PemnContents = {
    ...seeded,
    // A generator this pemn does not implement is no obstacle: nothing is regenerated.
    generator: { name: "some-other-generator-v9", seed: 9n },
    maskedLayers: seeded.maskedLayers.map((layer) => ({
      ...layer,
      values: { kind: "stored", start: 0, length: prototype.length },
    })),
    storedValues: prototype,
  };
  const decoded = decodeModel(stored);
  for (const [name, weights] of expectedWeights(seeded, RP)) {
    assertSameBits(decoded.maskedWeights.get(name)?.values as Float32Array, weights, name);
  }
});

function assertModelError(contents: PemnContents, code: PemnModelProblem, message: RegExp): void {
  assert.throws(
    () => decodeModel(contents),
    (error: unknown) =>
      error instanceof PemnModelError && error.code === code && message.test(error.message),
  );
}

test("contents that do not fit their model are refused with typed errors", () => {
  const contents = contentsFor({ kind: "mask" });
  assertModelError(
    { ...contents, generator: { name: "pemn-threefry4x32-20-v0", seed: 1n } },
    "unknown-generator",
    /need generator "pemn-threefry4x32-20-v0", this pemn implements "pemn-threefry4x32-20-v1"/,
  );
  assertModelError(
    { ...contents, model: { ...contents.model, dim: -1 } },
    "invalid-model",
    /dim must be at least 1/,
  );
  assertModelError(
    { ...contents, strategy: { kind: "rp", ratio: 2 } },
    "invalid-strategy",
    /ratio/,
  );
  assertModelError(
    { ...contents, strategy: { kind: "dense" } },
    "invalid-strategy",
    /dense network's trained values must be stored, layer "patchEmbed" is seeded/,
  );
  assertModelError(
    { ...contents, maskedLayers: contents.maskedLayers.slice(0, -1) },
    "layer-mismatch",
    /masked layer 17 is missing, the model's layout has classifier \[10, 256\]/,
  );
  assertModelError(
    { ...contents, model: { ...contents.model, kernel: 3 } },
    "layer-mismatch",
    /masked layer 1 is blocks.0.depthwise \[256, 1, 5, 5\], the model's layout has blocks.0.depthwise \[256, 1, 3, 3\]/,
  );
});
