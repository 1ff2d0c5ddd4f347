import { isRunningVariance } from "./norm-names.js";
import type { NormTensor } from "./pemn-contents.js";
import { PemnFormatError, type PemnFormatProblem } from "./pemn-format-error.js";

/**
 * A norm tensor's values must be finite, and a running variance non-negative: anything else
 * would make every output of the decoded network NaN (sqrt of a negative variance).
 */
export function checkNormValues(norm: NormTensor, code: PemnFormatProblem): void {
  const nonFinite = norm.values.findIndex((value) => !Number.isFinite(value));
  if (nonFinite >= 0) {
    throw new PemnFormatError(
      code,
      `norm tensor "${norm.name}" holds ${norm.values[nonFinite]} at element ${nonFinite}`,
    );
  }
  if (!isRunningVariance(norm.name)) return;
  const negative = norm.values.findIndex((value) => value < 0);
  if (negative >= 0) {
    throw new PemnFormatError(
      code,
      `norm tensor "${norm.name}" is a running variance but holds ${norm.values[negative]} at element ${negative}`,
    );
  }
}
