import type { ModelConfig } from "./model-schema.js";

/** Whether the model normalises with BatchNorm, which needs at least two images per training batch. */
export function usesBatchNorm(config: ModelConfig): boolean {
  switch (config.name) {
    case "convmixer":
    case "resnet":
      return true;
    case "mlp":
      return config.batchNorm;
    case "vit":
      return false;
  }
}
