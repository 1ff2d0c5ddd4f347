import { type MaskedLayerSpec, type ModelConfig, parseModelConfig } from "../models/pure.js";
import { parseWeightStrategy, type WeightStrategy } from "../weights/index.js";
import type { JsonObject } from "./format/index.js";
import { PemnModelError } from "./pemn-model-error.js";

/** A file's model configuration and weight strategy, validated (PemnModelError if not). */
export function parseModelHeader(header: {
  readonly model: JsonObject;
  readonly strategy: JsonObject;
}): { model: ModelConfig; strategy: WeightStrategy } {
  return {
    model: parse("invalid-model", () => parseModelConfig(header.model)),
    strategy: parse("invalid-strategy", () => parseWeightStrategy(header.strategy)),
  };
}

function parse<T>(code: "invalid-model" | "invalid-strategy", read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new PemnModelError(code, (error as Error).message);
  }
}

/** Throws PemnModelError("layer-mismatch") unless the file's masked layers are the layout's. */
export function checkMaskedLayers(
  layers: readonly { readonly name: string; readonly shape: readonly number[] }[],
  layout: readonly MaskedLayerSpec[],
): void {
  const describe = (list: readonly { name: string; shape: readonly number[] }[]) =>
    list.map(({ name, shape }) => `${name} [${shape.join(", ")}]`);
  const inFile = describe(layers);
  const expected = describe(layout);
  const first = expected.findIndex((entry, index) => inFile[index] !== entry);
  if (first >= 0 || inFile.length !== expected.length) {
    const at = first >= 0 ? first : expected.length;
    throw new PemnModelError(
      "layer-mismatch",
      `masked layer ${at} is ${inFile[at] ?? "missing"}, the model's layout has ${expected[at] ?? "no more layers"}`,
    );
  }
}
