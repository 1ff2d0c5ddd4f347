import assert from "node:assert/strict";
import { test } from "node:test";
import { describePemn, encodePemn } from "../../src/artifact/format/index.js";
import { parseWeightStrategy } from "../../src/weights/index.js";
import { convMixerFixture, elementsOf, fixtureContents } from "./pemn-fixtures.js";

const convMixer = convMixerFixture(256, 8);

function entropy(p: number): number {
  return -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

test("ConvMixer-256/8 layout: 581,120 masked weights, 68 norm tensors of 256", () => {
  assert.equal(
    convMixer.masked.reduce((sum, layer) => sum + elementsOf(layer.shape), 0),
    581_120,
  );
  assert.equal(convMixer.masked.length, 18);
  assert.equal(convMixer.norms.length, 68);
});

test("seed mode, k = 0.5: at most 1.01 bits per masked weight, header included", (t) => {
  const bytes = encodePemn(
    fixtureContents({
      seed: 8,
      model: convMixer.model,
      // The strategy as the weights module writes it, defaults filled in.
      strategy: parseWeightStrategy({ kind: "rp", ratio: 0.001 }),
      masked: convMixer.masked,
    }),
  );
  const description = describePemn(bytes);
  t.diagnostic(
    `${bytes.length} bytes: ${JSON.stringify(description.parts)}; ${description.bitsPerMaskedWeight.toFixed(5)} bits per masked weight`,
  );
  assert.equal(description.maskedWeights, 581_120);
  assert.equal(description.parts.masks, 581_120 / 8, "every mask a plain bitset");
  assert.equal(description.parts.values, 0, "seed mode stores no values");
  assert.ok(description.bitsPerMaskedWeight <= 1.01, `${description.bitsPerMaskedWeight}`);
});

test("seed mode, k = 0.05: masks range-coded within 0.5% of H(0.05) bits per weight", (t) => {
  const bytes = encodePemn(
    fixtureContents({
      seed: 9,
      model: convMixer.model,
      masked: convMixer.masked,
      keepFraction: 0.05,
    }),
  );
  const description = describePemn(bytes);
  const maskBits = (8 * description.parts.masks) / description.maskedWeights;
  t.diagnostic(
    `masks ${maskBits.toFixed(5)} bits per weight (H(0.05) = ${entropy(0.05).toFixed(5)}), file ${description.bitsPerMaskedWeight.toFixed(5)}`,
  );
  assert.ok(description.layers.every((layer) => layer.encoding === "range"));
  assert.ok(maskBits < 1.005 * entropy(0.05), `${maskBits}`);
});

test("the parts add up to the file; norms and the file without them are accounted", (t) => {
  const withNorms = encodePemn(fixtureContents({ seed: 10, ...convMixer, valueMode: "stored" }));
  const withoutNorms = encodePemn(
    fixtureContents({
      seed: 10,
      model: convMixer.model,
      masked: convMixer.masked,
      valueMode: "stored",
    }),
  );
  const halfNorms = encodePemn(
    fixtureContents({ seed: 10, ...convMixer, valueMode: "stored", normDtype: "fp16" }),
  );
  const description = describePemn(withNorms);
  const parts = description.parts;
  assert.equal(
    parts.framing + parts.header + parts.values + parts.masks + parts.norms,
    withNorms.length,
  );
  assert.equal(parts.values, 4 * 65_536, "stored mode: the largest layer's values");
  assert.equal(description.storedValueCount, 65_536);
  assert.equal(parts.norms, 68 * 256 * 4);
  assert.equal(describePemn(halfNorms).parts.norms, 68 * 256 * 2);
  assert.equal(description.normElements, 68 * 256);
  assert.equal(description.bytesWithoutNorms, withoutNorms.length);
  t.diagnostic(
    `fp32 norms: ${description.bitsPerMaskedWeight.toFixed(4)} bits per masked weight, without norms ${description.bitsPerMaskedWeightWithoutNorms.toFixed(4)}`,
  );
  const stem = description.layers[0];
  assert.deepEqual(
    { ...stem, offset: 0 },
    {
      name: "patchEmbed",
      shape: [256, 3, 2, 2],
      weights: 3072,
      kept: 1536,
      keepFraction: 0.5,
      values: { kind: "stored", start: 0, length: 65_536 },
      valueBytes: 0,
      encoding: "bits",
      offset: 0,
      bytes: 384,
      bitsPerWeight: 1,
    },
  );
  assert.equal(stem?.offset, 44 + parts.header + parts.values, "masks follow header and values");
  assert.equal(description.norms[0]?.offset, 44 + parts.header + parts.values + parts.masks);
});
