import { FORMAT_LIMITS } from "./format-spec.js";
import { PemnFormatError, type PemnFormatProblem } from "./pemn-format-error.js";

const LARGEST_DIMENSION = 2 ** 32 - 1;

/**
 * The number of elements of `shape`, after checking its rank (1 to maxRank) and dimensions
 * (integers in [1, 2^32 - 1]; `problem` otherwise) and the element limit ("size-limit").
 */
export function checkedElementCount(
  shape: readonly number[],
  what: string,
  problem: PemnFormatProblem,
): number {
  if (shape.length < 1 || shape.length > FORMAT_LIMITS.maxRank) {
    throw new PemnFormatError(
      problem,
      `${what} has rank ${shape.length}, must be 1 to ${FORMAT_LIMITS.maxRank}`,
    );
  }
  let count = 1;
  for (const dimension of shape) {
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > LARGEST_DIMENSION) {
      throw new PemnFormatError(
        problem,
        `${what} has dimension ${dimension}, must be an integer in [1, 2^32 - 1]`,
      );
    }
    count *= dimension;
  }
  // Each factor is below 2^32 and rank is at most 8, so count is finite and exact enough to
  // compare with the limit (exact whenever it is within it).
  if (count > FORMAT_LIMITS.maxElements) {
    throw new PemnFormatError(
      "size-limit",
      `${what} of shape [${shape.join(", ")}] has ${count} elements, the limit is ${FORMAT_LIMITS.maxElements}`,
    );
  }
  return count;
}

/** The number of elements of a shape already checked by checkedElementCount. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/** `total + weights`, the masked weights up to and including `layerName`, within maxElements. */
export function addMaskedWeights(total: number, weights: number, layerName: string): number {
  const sum = total + weights;
  if (sum > FORMAT_LIMITS.maxElements) {
    throw new PemnFormatError(
      "size-limit",
      `masked layers hold more than ${FORMAT_LIMITS.maxElements} weights (at "${layerName}")`,
    );
  }
  return sum;
}
