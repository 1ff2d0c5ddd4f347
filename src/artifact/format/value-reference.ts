import type { ValueRecord } from "./pemn-contents.js";
import { PemnFormatError, type PemnFormatProblem } from "./pemn-format-error.js";

/**
 * A stored reference must be a non-empty slice inside the stored values, a kept one a slice
 * (empty when the layer keeps nothing); seed and quantized ones take no stored float.
 */
export function checkValueReference(
  reference: ValueRecord,
  storedCount: number,
  layerName: string,
  problem: PemnFormatProblem,
): void {
  if (reference.kind === "seed" || reference.kind === "quantized") return;
  const { start, length } = reference;
  const shortest = reference.kind === "kept" ? 0 : 1;
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(length) ||
    start < 0 ||
    length < shortest
  ) {
    throw new PemnFormatError(
      problem,
      `layer "${layerName}" takes stored values [${start}, ${start} + ${length}): not a${shortest === 1 ? " non-empty" : ""} slice`,
    );
  }
  if (start + length > storedCount) {
    throw new PemnFormatError(
      problem,
      `layer "${layerName}" takes stored values [${start}, ${start + length}), only ${storedCount} are stored`,
    );
  }
}
