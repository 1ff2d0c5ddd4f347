import { z } from "zod";
import { parseConfig } from "../../config/parse-config.js";

const probability = z
  .number()
  .min(0, { error: "p must be a probability in [0, 1]" })
  .max(1, { error: "p must be a probability in [0, 1]" });

const pixelFill = z
  .number()
  .int({ error: "fill must be an integer pixel value" })
  .min(0, { error: "fill must be in 0..255" })
  .max(255, { error: "fill must be in 0..255" });

/** A [low, high] pair with 0 < low <= high <= max. */
const interval = (max: number) =>
  z.tuple([z.number(), z.number()]).refine(([low, high]) => low > 0 && low <= high && high <= max, {
    error: `must be [low, high] with 0 < low <= high <= ${max}`,
  });

const jitterStrength = z.number().min(0, { error: "jitter strength must be >= 0" }).default(0);

const randomCrop = z.strictObject({
  kind: z.literal("randomCrop"),
  /** Pixels of `fill` added on every side before a same-size window is cut out. */
  padding: z.number().int({ error: "padding must be an integer" }).min(0, {
    error: "padding must be >= 0",
  }),
  fill: pixelFill.default(0),
});

const randomResizedCrop = z.strictObject({
  kind: z.literal("randomResizedCrop"),
  /** Crop area as a fraction of the image; square crops, as the reference. */
  scale: interval(1).default([0.08, 1]),
});

const horizontalFlip = z.strictObject({
  kind: z.literal("horizontalFlip"),
  p: probability.default(0.5),
});

const randAugment = z
  .strictObject({
    kind: z.literal("randAugment"),
    numOps: z
      .number()
      .int({ error: "numOps must be an integer" })
      .min(0, {
        error: "numOps must be >= 0",
      })
      .default(2),
    magnitude: z
      .number()
      .int({ error: "magnitude must be an integer" })
      .min(0, {
        error: "magnitude must be >= 0",
      })
      .default(9),
    /** Levels of the magnitude scale: 31 is torchvision's 0..30; 11 gives a 0..10 scale. */
    magnitudeBins: z
      .number()
      .int({ error: "magnitudeBins must be an integer" })
      .min(2, {
        error: "magnitudeBins must be >= 2",
      })
      .default(31),
    /** Value for pixels that geometric ops move in from outside the image. */
    fill: pixelFill.default(0),
  })
  .refine((step) => step.magnitude < step.magnitudeBins, {
    error: "magnitude must be below magnitudeBins",
    path: ["magnitude"],
  });

const colorJitter = z.strictObject({
  kind: z.literal("colorJitter"),
  brightness: jitterStrength,
  contrast: jitterStrength,
  /** Needs 3-channel images. */
  saturation: jitterStrength,
});

const randomErasing = z.strictObject({
  kind: z.literal("randomErasing"),
  p: probability.default(0.5),
  scale: interval(1).default([0.02, 0.33]),
  ratio: interval(Number.POSITIVE_INFINITY).default([0.3, 3.3]),
  fill: z.enum(["zero", "random"]).default("zero"),
});

const stepSchema = z.discriminatedUnion("kind", [
  randomCrop,
  randomResizedCrop,
  horizontalFlip,
  randAugment,
  colorJitter,
  randomErasing,
]);

/** Steps that run on the normalised float image; all others run on uint8 pixels before it. */
const TENSOR_STEP_KINDS: ReadonlySet<string> = new Set(["randomErasing"]);

/**
 * A training augmentation: steps in the order they run. Uint8 steps come first, then the
 * image is normalised, then tensor steps (random erasing), as the reference orders them.
 */
export const augmentationSchema = z.array(stepSchema).superRefine((steps, context) => {
  const firstTensorStep = steps.findIndex((step) => TENSOR_STEP_KINDS.has(step.kind));
  if (firstTensorStep < 0) return;
  steps.forEach((step, index) => {
    if (index > firstTensorStep && !TENSOR_STEP_KINDS.has(step.kind)) {
      context.addIssue({
        code: "custom",
        path: [index, "kind"],
        message:
          `${step.kind} works on uint8 pixels, so it must come before ${steps[firstTensorStep]?.kind} ` +
          `(step ${firstTensorStep}), which works on the normalised image`,
      });
    }
  });
});

export type AugmentationStepInput = z.input<typeof stepSchema>;
export type AugmentationStep = z.output<typeof stepSchema>;
export type AugmentationConfigInput = z.input<typeof augmentationSchema>;
export type AugmentationConfig = z.output<typeof augmentationSchema>;

export function parseAugmentationConfig(value: unknown): AugmentationConfig {
  return parseConfig(augmentationSchema, value, "augmentation config");
}
