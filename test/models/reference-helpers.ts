import { noGrad, type Tensor, tensor } from "../../src/engine/index.js";
import { MaskedWeight, type Module } from "../../src/nn/index.js";
import { randomValues } from "../helpers/test-random.js";

/**
 * Each masked layer's effective weight W * M (by layer name), the mask recomputed here in
 * JavaScript from the stored scores: the round(k n) largest |s|, ties to the lower index.
 */
export function referenceMaskedWeights(model: Module, keepFraction: number): Map<string, Tensor> {
  const weights = new Map<string, Tensor>();
  for (const [path, module] of model.namedModules()) {
    if (!(module instanceof MaskedWeight)) continue;
    const values = module.values.toArray() as Float32Array;
    const scores = module.scores?.toArray() as Float32Array;
    const order = [...scores.keys()].sort(
      (a, b) => Math.abs(scores[b] as number) - Math.abs(scores[a] as number) || a - b,
    );
    const kept = new Set(order.slice(0, Math.round(keepFraction * scores.length)));
    const masked = values.map((value, index) => (kept.has(index) ? value : 0));
    weights.set(path.replace(/\.weight$/, ""), tensor(masked, module.shape));
  }
  return weights;
}

/**
 * Sets every trained tensor other than scores (norm parameters, position embedding) to
 * random values, so that a mix-up between two of them shows; returns all parameters by name.
 */
export function randomizeOtherParameters(model: Module, seed: number): Map<string, Tensor> {
  const parameters = new Map(model.namedParameters());
  noGrad(() => {
    let next = seed;
    for (const [name, parameter] of parameters) {
      if (name.endsWith(".scores")) continue;
      const values = Float32Array.from(randomValues(parameter.size, next++));
      parameter.copy_(tensor(values, parameter.shape));
    }
  });
  return parameters;
}

/** Lookup that fails loudly, so that a wrong name in a reference is not silently null. */
export function named(map: Map<string, Tensor>, name: string): Tensor {
  const found = map.get(name);
  if (!found) throw new Error(`no tensor named ${name}`);
  return found;
}
