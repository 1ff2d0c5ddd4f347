import type { MaskedLayer } from "./pemn-contents.js";
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
