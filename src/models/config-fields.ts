import { z } from "zod";
import type { ImageShape } from "../data/image-shape.js";

/** An integer field >= min whose every message names the field. */
export function integerField(field: string, min = 1) {
  return z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be an integer` })
    .min(min, { error: `${field} must be at least ${min}` });
}

/** Shape of one input image (channels x height x width); the trainer takes it from the dataset. */
export const inputShapeSchema = z.strictObject(
  {
    channels: integerField("input.channels"),
    height: integerField("input.height"),
    width: integerField("input.width"),
  },
  { error: "input must be { channels, height, width }" },
);

export const classesField = integerField("classes", 2);

/** Learn BatchNorm's gamma and beta (the paper's default) or only normalise. */
export const affineBatchNormField = z
  .boolean({ error: "affineBatchNorm must be true or false" })
  .default(true);

/** Patches of a kernel = stride = patch conv must tile the image exactly: no pixel is dropped. */
export function checkPatchTilesImage(
  config: { patch: number; input: ImageShape },
  context: z.RefinementCtx,
): void {
  for (const side of ["height", "width"] as const) {
    const length = config.input[side];
    const problem =
      length < config.patch
        ? `input.${side} ${length} is smaller than patch ${config.patch}`
        : length % config.patch !== 0
          ? `patch ${config.patch} does not divide input.${side} ${length}`
          : null;
    if (problem) context.addIssue({ code: "custom", message: problem, path: ["patch"] });
  }
}
