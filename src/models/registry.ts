import { z } from "zod";
import { parseConfig } from "../config/parse-config.js";
import type { Backbone, BackboneConfigBase } from "./backbone.js";
import { conv } from "./backbones/conv.js";
import { convMixer } from "./backbones/convmixer.js";
import { imagenetResnet } from "./backbones/imagenet-resnet.js";
import { mlp } from "./backbones/mlp.js";
import { resnet } from "./backbones/resnet.js";
import { vit } from "./backbones/vit.js";

/**
 * Every backbone, by name (as timm's register_model). The model schema, buildModel, the
 * layouts, the ONNX export, the CLI's --model choices and flags, `pemn models` and the tests'
 * list of backbones are all derived from this list: registering a backbone is one line here.
 */
export const BACKBONES = [convMixer, vit, resnet, mlp, conv, imagenetResnet] as const;

/** The schemas of a tuple of backbones, as a tuple (mapped types keep tuples over type parameters). */
type SchemasOf<T extends readonly { schema: unknown }[]> = {
  -readonly [K in keyof T]: T[K]["schema"];
};
type Schemas = SchemasOf<typeof BACKBONES>;

export const BACKBONE_NAMES = BACKBONES.map((backbone) => backbone.name);

/** Every model config, told apart by `name`; the registry's single source of defaults. */
export const modelSchema = z.discriminatedUnion(
  "name",
  BACKBONES.map((backbone) => backbone.schema) as unknown as Schemas,
  { error: `name must be one of ${BACKBONE_NAMES.map((name) => `"${name}"`).join(", ")}` },
);

export type ModelConfigInput = z.input<typeof modelSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type ModelName = ModelConfig["name"];

/** Validates a model config and fills in its defaults; ConfigError lists each bad field. */
export function parseModelConfig(value: unknown): ModelConfig {
  return parseConfig(modelSchema, value, "model config");
}

/** The registered backbone of a (validated) config. */
export function backboneOf(config: ModelConfig): Backbone<z.ZodType<BackboneConfigBase>> {
  const backbone = BACKBONES.find((candidate) => candidate.name === config.name);
  if (!backbone) throw new Error(`no backbone is registered as "${config.name}"`);
  return backbone as unknown as Backbone<z.ZodType<BackboneConfigBase>>;
}
