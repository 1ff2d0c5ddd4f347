import { RUNNING_MEAN, RUNNING_VAR } from "../format/norm-names.js";

/*
 * pemn's state names as a PyTorch module of the same network names them (scripts/pemn_torch.py
 * defines those modules: their attributes are pemn's module paths, so only the last part of a
 * name differs). A masked layer `blocks.0.pointwise` is the module whose `weight` holds its
 * weight; BatchNorm's running statistics are PyTorch's `running_mean` and `running_var`.
 */

const TO_TORCH: Readonly<Record<string, string>> = {
  [RUNNING_MEAN]: "running_mean",
  [RUNNING_VAR]: "running_var",
};
const FROM_TORCH: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(TO_TORCH).map(([pemn, torch]) => [torch, pemn]),
);

/** The suffix PyTorch gives a conv's or linear's weight, and edge-popup its scores. */
export const TORCH_WEIGHT = "weight";
export const TORCH_SCORES = "scores";
/** The suffix of a masked layer's packed mask in pemn's masked safetensors form. */
export const TORCH_MASK = "mask";

function replaceLast(name: string, table: Readonly<Record<string, string>>): string {
  const dot = name.lastIndexOf(".");
  const last = name.slice(dot + 1);
  const renamed = Object.hasOwn(table, last) ? table[last] : undefined;
  return renamed === undefined ? name : `${name.slice(0, dot + 1)}${renamed}`;
}

/** A norm tensor's state name in PyTorch: "stemNorm.runningVar" -> "stemNorm.running_var". */
export function torchStateName(pemnName: string): string {
  return replaceLast(pemnName, TO_TORCH);
}

/** The inverse of torchStateName. */
export function pemnStateName(torchName: string): string {
  return replaceLast(torchName, FROM_TORCH);
}

/** A tensor of a module, "module.part", or "part" at the top level. */
export function torchTensorName(module: string, part: string): string {
  return module === "" ? part : `${module}.${part}`;
}
