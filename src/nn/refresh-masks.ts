import { MaskedWeight } from "./masked-weight.js";
import type { Module } from "./module.js";

/**
 * Recomputes every stale mask under `module` in one engine call (masks are otherwise
 * recomputed layer by layer on first use). Trainers call it before each forward pass.
 */
export function refreshMasks(module: Module): void {
  MaskedWeight.refreshMasks(
    module.namedModules().flatMap(([, child]) => (child instanceof MaskedWeight ? [child] : [])),
  );
}
