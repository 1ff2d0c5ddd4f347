import { z } from "zod";
import { parseConfig } from "../config/parse-config.js";
import { showValue } from "./show-value.js";

/** A masked layer as the weight plan sees it, in the model's definition order. */
export interface MaskedLayerSpec {
  /** Unique within the model; names the layer's random stream, so renaming changes its values. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Inputs per output unit; sets the Kaiming scale N(0, 2 / fanIn). */
  readonly fanIn: number;
}

/** Layers larger than this could not be permuted (RP "rand" order uses 32-bit indices). */
const LARGEST_LAYER_SIZE = 2 ** 32 - 1;

const positiveInteger = (what: string) => {
  const error = (issue: { input: unknown }) =>
    `${what} must be a positive integer, got ${showValue(issue.input)}`;
  return z.number({ error }).refine((value) => Number.isSafeInteger(value) && value > 0, { error });
};

const layerSchema = z
  .strictObject({
    name: z.string().min(1, { error: "must not be empty" }),
    shape: z.array(positiveInteger("every dimension")).min(1, { error: "must not be empty" }),
    fanIn: positiveInteger("fanIn"),
  })
  .refine((layer) => flattenedSize(layer.shape) <= LARGEST_LAYER_SIZE, {
    error: `layer has more than ${LARGEST_LAYER_SIZE} weights`,
  });

export const maskedLayerListSchema = z
  .array(layerSchema)
  .min(1, { error: "a model needs at least one masked layer" })
  .superRefine((layers, context) => {
    const seen = new Set<string>();
    layers.forEach((layer, index) => {
      if (seen.has(layer.name)) {
        context.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `duplicate layer name ${JSON.stringify(layer.name)}`,
        });
      }
      seen.add(layer.name);
    });
  });

/** d_l: the number of weights of a layer. */
export function flattenedSize(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/** Checks a model's masked layers (non-empty, unique names, positive integer sizes). */
export function validateMaskedLayers(layers: unknown): readonly MaskedLayerSpec[] {
  return parseConfig(maskedLayerListSchema, layers, "masked layer list");
}

/** m: the index of the first layer with the largest number of weights (ties keep the first). */
export function maxLayerIndex(layers: readonly MaskedLayerSpec[]): number {
  let best = 0;
  let bestSize = 0;
  layers.forEach((layer, index) => {
    const size = flattenedSize(layer.shape);
    if (size > bestSize) {
      best = index;
      bestSize = size;
    }
  });
  return best;
}

/** Layers share values under "one-layer" exactly when their shapes are equal. */
export function shapeKey(shape: readonly number[]): string {
  return shape.join("x");
}
