import { z } from "zod";
import { ConfigError } from "../config/parse-config.js";
import type { ImageShape } from "../data/image-shape.js";
import type { BackboneFlag } from "./backbone.js";
import { defaultRescale, maskedWeightCount, modelLayout } from "./model-layout.js";
import { BACKBONES, parseModelConfig } from "./registry.js";

/** What the default config holds on the given input, or why it does not fit it. */
export type DefaultSize =
  | {
      readonly fits: true;
      readonly maskedLayers: number;
      readonly maskedWeights: number;
      readonly norms: number;
      /** mp's and rp's rescale when a config does not say (defaultRescale). */
      readonly rescale: "none" | "fan-in";
    }
  | { readonly fits: false; readonly problem: string };

/** A registered backbone as `pemn models` shows it: its parameters' defaults and its size. */
export interface BackboneEntry {
  readonly name: string;
  readonly summary: string;
  /** The schema's defaults of the config's own fields (not name, input, classes). */
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly flags: readonly BackboneFlag[];
  readonly size: DefaultSize;
}

/** Every registered backbone with its defaults, sized for `input` and `classes`. */
export function backboneCatalogue(input: ImageShape, classes: number): BackboneEntry[] {
  return BACKBONES.map((backbone) => ({
    name: backbone.name,
    summary: backbone.summary,
    defaults: schemaDefaults(backbone.schema),
    flags: backbone.flags,
    size: defaultSize(backbone.name, input, classes),
  }));
}

function defaultSize(name: string, input: ImageShape, classes: number): DefaultSize {
  let config: ReturnType<typeof parseModelConfig>;
  try {
    config = parseModelConfig({ name, input, classes });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { fits: false, problem: error.message };
  }
  const layout = modelLayout(config);
  return {
    fits: true,
    maskedLayers: layout.maskedLayers.length,
    maskedWeights: maskedWeightCount(layout.maskedLayers),
    norms: layout.declarations.filter(
      (declaration) => declaration.kind === "batchNorm" || declaration.kind === "layerNorm",
    ).length,
    rescale: defaultRescale(layout),
  };
}

/** The fields of an object schema that have a default, with it (they do not depend on the input). */
function schemaDefaults(schema: z.ZodType): Record<string, unknown> {
  if (!(schema instanceof z.ZodObject)) return {};
  return Object.fromEntries(
    Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([field, fieldSchema]) =>
      fieldSchema instanceof z.ZodDefault ? [[field, fieldSchema.def.defaultValue]] : [],
    ),
  );
}
