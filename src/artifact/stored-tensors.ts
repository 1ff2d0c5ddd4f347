import type { DecodedModel, DecodedTensor } from "./decode-model.js";
import { PemnModelError } from "./pemn-model-error.js";

/** The decoded model's stored tensor `name`; PemnModelError unless the file has it in `shape`. */
export function requireStoredTensor(
  decoded: DecodedModel,
  name: string,
  shape: readonly number[],
): DecodedTensor {
  const tensor = decoded.normTensors.get(name);
  if (tensor === undefined) {
    throw new PemnModelError("norm-mismatch", `the model's tensor "${name}" is missing`);
  }
  if (tensor.shape.join() !== shape.join()) {
    throw new PemnModelError(
      "norm-mismatch",
      `tensor "${name}" is [${tensor.shape.join(", ")}], the model's is [${shape.join(", ")}]`,
    );
  }
  return tensor;
}

/** PemnModelError if the file holds stored tensors the model does not have (not in `known`). */
export function rejectUnknownTensors(decoded: DecodedModel, known: ReadonlySet<string>): void {
  const unknown = [...decoded.normTensors.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new PemnModelError(
      "norm-mismatch",
      `the model has no tensor ${unknown.map((name) => `"${name}"`).join(", ")}`,
    );
  }
}
