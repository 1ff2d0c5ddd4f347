import type { Layer, WeightMode } from "../nn/index.js";
import { planWeights, type WeightPlan, type WeightStrategy } from "../weights/index.js";
import { buildModel } from "./engine-network.js";
import { maskedLayout } from "./model-layout.js";
import type { ModelConfig } from "./registry.js";

/** Everything a PEMN's fixed weights and initial state depend on. */
export interface PemnModelSpec {
  model: ModelConfig;
  strategy: WeightStrategy;
  /** Fraction of each masked layer's weights its mask keeps (ignored where values are trained). */
  keepFraction: number;
  /** Keep fractions of particular layers (by layout name), overriding keepFraction. */
  keepFractionByLayer?: Readonly<Record<string, number>>;
  /** Seeds the fixed values (streams "layer:<name>") and the scores (streams "<name>"). */
  seed: number;
}

/**
 * The weight mode a strategy implies: `dense` trains values, `pruned` trains them under a
 * fixed mask (set by the run once chosen), `quantized` and `binary` train them quantized,
 * every other strategy masks fixed values.
 */
export function weightModeOf(strategy: WeightStrategy, keepFraction: number): WeightMode {
  if (strategy.kind === "dense" || strategy.kind === "pruned") return { kind: strategy.kind };
  if (strategy.kind === "quantized") return { kind: "quantized", bits: strategy.bits };
  if (strategy.kind === "binary") return { kind: "binary" };
  return { kind: "masked", keepFraction };
}

/** Builds the model with the values its strategy plans; the caller disposes the model. */
export function createPemnModel(spec: PemnModelSpec): { model: Layer; plan: WeightPlan } {
  const layout = maskedLayout(spec.model);
  const overrides = spec.keepFractionByLayer ?? {};
  const unknown = Object.keys(overrides).filter(
    (name) => !layout.some((layer) => layer.name === name),
  );
  if (unknown.length > 0) {
    throw new RangeError(
      `keep fractions given for layers ${spec.model.name} does not have: ${unknown.join(", ")} (its masked layers: ${layout.map((layer) => layer.name).join(", ")})`,
    );
  }
  const plan = planWeights({ strategy: spec.strategy, seed: spec.seed, layers: layout });
  const model = buildModel(spec.model, {
    mode: (layer) => weightModeOf(spec.strategy, overrides[layer.name] ?? spec.keepFraction),
    values: new Map(plan.layers.map((layer) => [layer.name, layer.values])),
    scoreSeed: spec.seed,
  });
  return { model, plan };
}
