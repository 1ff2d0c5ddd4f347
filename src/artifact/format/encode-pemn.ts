import { assembleContainer } from "./container.js";
import { encodeFloat32 } from "./float32-bytes.js";
import { encodeHeader, type LayerEntry, type NormEntry } from "./header.js";
import { checkDatasetRecord, checkGenerator } from "./header-json.js";
import { checkJsonObject } from "./json-value.js";
import { hasCleanPadding, maskByteLength } from "./mask-bits.js";
import { encodeMask, encodePositions } from "./mask-encoding.js";
import { encodeNormValues } from "./norm-encoding.js";
import { checkNormValues } from "./norm-values.js";
import type { MaskedLayer, NormTensor, PemnContents } from "./pemn-contents.js";
import { PemnFormatError } from "./pemn-format-error.js";
import { checkQuantizedValues, encodeQuantizedValues } from "./quantized-values.js";
import { MAX_RELATIVE_INDEX_BITS } from "./relative-index.js";
import { checkKeptCount } from "./stored-layer-values.js";
import { checkTableNames } from "./table-names.js";
import { addMaskedWeights, checkedElementCount } from "./tensor-shape.js";
import { checkValueReference } from "./value-reference.js";

/**
 * The `.pemn` file of `contents`. Each mask is stored as a plain bitset or range-coded,
 * whichever is smaller (a pruned layer's in the index its value reference names); norm
 * tensors in their own dtype. Throws PemnFormatError
 * ("invalid-contents" or "size-limit") for contents the format cannot hold exactly.
 */
export function encodePemn(contents: PemnContents): Uint8Array {
  checkJsonObject(contents.model, "model");
  checkJsonObject(contents.strategy, "strategy");
  checkGenerator(contents.generator, "invalid-contents");
  if (contents.dataset !== undefined) checkDatasetRecord(contents.dataset, "invalid-contents");
  checkTableNames(
    contents.maskedLayers.map((layer) => layer.name),
    "masked layers",
    "invalid-contents",
  );
  checkTableNames(
    contents.norms.map((norm) => norm.name),
    "norm tensors",
    "invalid-contents",
  );
  const layerEntries: LayerEntry[] = [];
  const maskParts: Uint8Array[] = [];
  // Stored floats first, then each quantized layer's scales and levels in layer order.
  const valueParts: Uint8Array[] = [encodeFloat32(contents.storedValues)];
  let maskedWeights = 0;
  for (const layer of contents.maskedLayers) {
    const weights = checkLayer(layer, contents.storedValues.length);
    maskedWeights = addMaskedWeights(maskedWeights, weights, layer.name);
    const mask =
      layer.values.kind === "kept"
        ? encodePositions(layer.mask, weights, layer.values.index)
        : encodeMask(layer.mask, weights);
    const { values } = layer;
    layerEntries.push({
      name: layer.name,
      shape: layer.shape,
      values:
        values.kind === "quantized"
          ? { kind: "quantized", bits: values.bits, scaleDtype: values.scaleDtype }
          : values,
      mask: mask.record,
    });
    maskParts.push(mask.bytes);
    if (values.kind === "quantized") valueParts.push(encodeQuantizedValues(values));
  }
  const normEntries: NormEntry[] = [];
  const normParts: Uint8Array[] = [];
  for (const norm of contents.norms) {
    normParts.push(encodeNorm(norm));
    normEntries.push({ name: norm.name, shape: norm.shape, dtype: norm.dtype });
  }
  return assembleContainer({
    header: encodeHeader({
      model: contents.model,
      strategy: contents.strategy,
      generator: contents.generator,
      ...(contents.dataset === undefined ? {} : { dataset: contents.dataset }),
      layers: layerEntries,
      norms: normEntries,
    }),
    values: concatenate(valueParts),
    masks: concatenate(maskParts),
    norms: concatenate(normParts),
  });
}

/** The layer's weight count, after checking its shape, mask and value reference. */
function checkLayer(layer: MaskedLayer, storedCount: number): number {
  const weights = checkedElementCount(
    layer.shape,
    `masked layer "${layer.name}"`,
    "invalid-contents",
  );
  if (layer.mask.length !== maskByteLength(weights)) {
    throw new PemnFormatError(
      "invalid-contents",
      `mask of layer "${layer.name}" has ${layer.mask.length} bytes, its ${weights} weights need ${maskByteLength(weights)}`,
    );
  }
  if (!hasCleanPadding(layer.mask, weights)) {
    throw new PemnFormatError(
      "invalid-contents",
      `mask of layer "${layer.name}" sets bits past its ${weights} weights`,
    );
  }
  checkValueReference(layer.values, storedCount, layer.name, "invalid-contents");
  if (layer.values.kind === "kept") checkKeptReference(layer, layer.values);
  if (layer.values.kind === "quantized") {
    checkQuantizedValues(layer.values, layer.shape, weights, layer.name, "invalid-contents");
  }
  return weights;
}

function checkKeptReference(
  layer: MaskedLayer,
  reference: Extract<MaskedLayer["values"], { kind: "kept" }>,
): void {
  checkKeptCount(layer.name, layer.mask, reference.length);
  const { index } = reference;
  if (
    index.kind === "relative" &&
    !(Number.isInteger(index.bits) && index.bits >= 1 && index.bits <= MAX_RELATIVE_INDEX_BITS)
  ) {
    throw new PemnFormatError(
      "invalid-contents",
      `layer "${layer.name}": relative index width ${index.bits} is not in [1, ${MAX_RELATIVE_INDEX_BITS}]`,
    );
  }
}

function encodeNorm(norm: NormTensor): Uint8Array {
  const elements = checkedElementCount(
    norm.shape,
    `norm tensor "${norm.name}"`,
    "invalid-contents",
  );
  if (norm.values.length !== elements) {
    throw new PemnFormatError(
      "invalid-contents",
      `norm tensor "${norm.name}" of shape [${norm.shape.join(", ")}] has ${norm.values.length} values, needs ${elements}`,
    );
  }
  checkNormValues(norm, "invalid-contents");
  return encodeNormValues(norm);
}

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
