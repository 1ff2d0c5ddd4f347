import type { ImageShape } from "../data/image-shape.js";
import type { BackboneFlag } from "./backbone.js";
import { maskedWeightCount, modelLayout } from "./model-layout.js";
import { BACKBONES, parseModelConfig } from "./registry.js";

/** A registered backbone as `pemn models` shows it: its parameters' defaults and its size. */
export interface BackboneEntry {
  readonly name: string;
  readonly summary: string;
  /** The config's own fields (not name, input, classes) with their defaults. */
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly flags: readonly BackboneFlag[];
  /** Of the default config on the given input: masked layers, their weights, norm layers. */
  readonly maskedLayers: number;
  readonly maskedWeights: number;
  readonly norms: number;
}

/** Every registered backbone with its defaults, sized for `input` and `classes`. */
export function backboneCatalogue(input: ImageShape, classes: number): BackboneEntry[] {
  return BACKBONES.map((backbone) => {
    const config = parseModelConfig({ name: backbone.name, input, classes });
    const { name: _name, input: _input, classes: _classes, ...defaults } = config;
    const layout = modelLayout(config);
    return {
      name: backbone.name,
      summary: backbone.summary,
      defaults,
      flags: backbone.flags,
      maskedLayers: layout.maskedLayers.length,
      maskedWeights: maskedWeightCount(layout.maskedLayers),
      norms: layout.declarations.filter(
        (declaration) => declaration.kind === "batchNorm" || declaration.kind === "layerNorm",
      ).length,
    };
  });
}
