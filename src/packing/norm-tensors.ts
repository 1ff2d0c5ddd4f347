import type { Tensor } from "../engine/index.js";
import { BatchNorm, MaskedWeight, type Module } from "../nn/index.js";

/**
 * The tensors a `.pemn` file stores beside the masks, by state name: every trained parameter
 * outside the masked layers (BatchNorm and LayerNorm affine parameters, a learned ViT position
 * embedding) and BatchNorm's running statistics. Masked layers' values and scores are not
 * among them (the masks and the seed stand for them), nor fixed buffers a config recomputes
 * (a sincos position embedding). Grouped by owning module, in the model's order, so that
 * front-coded names share their prefixes.
 */
export function normTensors(model: Module): [string, Tensor][] {
  const modules = model.namedModules();
  const maskedTensors = new Set<Tensor | null>();
  const runningStatistics = new Set<Tensor>();
  for (const [, module] of modules) {
    if (module instanceof MaskedWeight) maskedTensors.add(module.values).add(module.scores);
    if (module instanceof BatchNorm)
      runningStatistics.add(module.runningMean).add(module.runningVar);
  }
  const state = [
    ...model.namedParameters().filter(([, tensor]) => !maskedTensors.has(tensor)),
    ...model.namedBuffers().filter(([, tensor]) => runningStatistics.has(tensor)),
  ];
  const moduleOrder = new Map(modules.map(([name], index) => [name, index]));
  const ownerIndex = (name: string) =>
    moduleOrder.get(name.slice(0, Math.max(0, name.lastIndexOf(".")))) ?? 0;
  // Array.prototype.sort is stable: a module's own tensors keep their registration order.
  return state.sort(([a], [b]) => ownerIndex(a) - ownerIndex(b));
}
