import { AdamW } from "./adamw.js";
import type { NamedParameters, Optimizer } from "./optimizer.js";
import type { OptimizerConfig } from "./optimizer-config.js";
import { Sgd } from "./sgd.js";

/** The optimizer a config describes, over named parameters (e.g. model.namedParameters()). */
export function createOptimizer(config: OptimizerConfig, parameters: NamedParameters): Optimizer {
  switch (config.kind) {
    case "adamw":
      return new AdamW(parameters, config);
    case "sgd":
      return new Sgd(parameters, config);
  }
}
