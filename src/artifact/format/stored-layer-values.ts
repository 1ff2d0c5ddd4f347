import { countKept } from "./mask-bits.js";
import type { MaskedLayer } from "./pemn-contents.js";
import { PemnFormatError } from "./pemn-format-error.js";
import { elementCount } from "./tensor-shape.js";
import { checkValueReference } from "./value-reference.js";

/**
 * The fixed values of a layer whose value reference is `stored`: the first `size` values of
 * storedValues[start, start + length) repeated end to end, the tiling random vector padding and
 * max-layer padding use. Seeded layers are the weight strategy's to regenerate.
 */
export function storedLayerValues(
  storedValues: Float32Array,
  layer: Pick<MaskedLayer, "name" | "shape" | "values">,
): Float32Array {
  const reference = layer.values;
  if (reference.kind !== "stored") {
    throw new RangeError(`layer "${layer.name}" is seeded: its values come from the generator`);
  }
  checkValueReference(reference, storedValues.length, layer.name, "invalid-contents");
  const size = elementCount(layer.shape);
  const slice = storedValues.subarray(reference.start, reference.start + reference.length);
  const values = new Float32Array(size);
  for (let offset = 0; offset < size; offset += slice.length) {
    values.set(slice.subarray(0, Math.min(slice.length, size - offset)), offset);
  }
  return values;
}

/**
 * The values of a pruned layer (value reference `kept`): its j-th kept weight in mask order
 * takes storedValues[start + j], every dropped weight is 0.
 */
export function keptLayerValues(
  storedValues: Float32Array,
  layer: Pick<MaskedLayer, "name" | "shape" | "values" | "mask">,
): Float32Array {
  const reference = layer.values;
  if (reference.kind !== "kept") {
    throw new RangeError(`layer "${layer.name}" is not pruned: it has no kept values`);
  }
  checkValueReference(reference, storedValues.length, layer.name, "invalid-contents");
  checkKeptCount(layer.name, layer.mask, reference.length);
  const values = new Float32Array(elementCount(layer.shape));
  let next = reference.start;
  for (let i = 0; i < values.length; i++) {
    if ((((layer.mask[i >>> 3] as number) >>> (i & 7)) & 1) === 1) {
      values[i] = storedValues[next++] as number;
    }
  }
  return values;
}

/** A pruned layer's mask must keep exactly as many weights as it references kept values. */
export function checkKeptCount(layerName: string, mask: Uint8Array, keptValues: number): void {
  const kept = countKept(mask);
  if (kept !== keptValues) {
    throw new PemnFormatError(
      "invalid-contents",
      `layer "${layerName}" keeps ${kept} weights but references ${keptValues} kept values`,
    );
  }
}
