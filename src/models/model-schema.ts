import { z } from "zod";
import { convMixerConfigSchema } from "./convmixer-config.js";
import { mlpConfigSchema } from "./mlp-config.js";
import { resnetConfigSchema } from "./resnet-config.js";
import { vitConfigSchema } from "./vit-config.js";

/** Every model config, told apart by `name`; the registry's single source of defaults. */
export const modelSchema = z.discriminatedUnion(
  "name",
  [convMixerConfigSchema, vitConfigSchema, resnetConfigSchema, mlpConfigSchema],
  { error: 'name must be one of "convmixer", "vit", "resnet", "mlp"' },
);

export type ModelConfigInput = z.input<typeof modelSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type ModelName = ModelConfig["name"];

/** A model config failed validation; the message lists each bad field by its path. */
export class ModelConfigError extends Error {
  override readonly name = "ModelConfigError";
}

/** Validates a model config and fills in its defaults. */
export function parseModelConfig(value: unknown): ModelConfig {
  const result = modelSchema.safeParse(value);
  if (!result.success) {
    throw new ModelConfigError(`invalid model config:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
