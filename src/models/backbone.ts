import type { z } from "zod";
import type { ImageShape } from "../data/image-shape.js";
import type { NetworkBuilder } from "./network.js";

/** What every backbone's config holds beside its own fields. */
export interface BackboneConfigBase {
  readonly name: string;
  readonly input: ImageShape;
  readonly classes: number;
}

/** How the CLI reads a flag's text into the config field. */
export type BackboneFlagValue = "integer" | "number" | "integers" | "string";

/** A command-line flag `--<field in kebab case>` that sets a field of the model config. */
export interface BackboneFlag {
  readonly field: string;
  readonly value: BackboneFlagValue;
  readonly help: string;
}

/**
 * A backbone, defined once: its config schema (with the defaults), its CLI flags, and its
 * network written over the layer-building operations, which the layout, the engine and the
 * ONNX export each implement. Registered by name in ./registry.ts.
 */
export interface Backbone<
  Schema extends z.ZodType<BackboneConfigBase> = z.ZodType<BackboneConfigBase>,
> {
  readonly name: z.output<Schema>["name"];
  /** One line for `pemn models`: what it is and where it comes from. */
  readonly summary: string;
  readonly schema: Schema;
  readonly flags: readonly BackboneFlag[];
  /**
   * A small config's own fields (beside name, input and classes): what the tests run every
   * backbone at, on 3x32x32 and 1x28x28 images alike.
   */
  readonly small: Readonly<Record<string, unknown>>;
  /**
   * Channels-last input makes every conv take oneDNN's NHWC kernels (a training step at
   * batch 64: ConvMixer-256/8 56 -> 62 img/s, ResNet-32 280 -> 341).
   */
  readonly channelsLast: boolean;
  /** From `input` [N, C, H, W] to logits [N, classes]. */
  network<V>(builder: NetworkBuilder<V>, input: V, config: z.output<Schema>): V;
}

/** The command-line option of a config field: mlpRatio is --mlp-ratio. */
export function flagOption(field: string): string {
  return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** A backbone definition, its config type inferred from its schema. */
export function defineBackbone<Schema extends z.ZodType<BackboneConfigBase>>(
  backbone: Backbone<Schema>,
): Backbone<Schema> {
  return backbone;
}
