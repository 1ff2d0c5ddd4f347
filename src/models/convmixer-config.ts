import { z } from "zod";
import {
  affineBatchNormField,
  checkPatchTilesImage,
  classesField,
  inputShapeSchema,
  integerField,
} from "./config-fields.js";

/** ConvMixer (Trockman & Kolter, "Patches Are All You Need?"); defaults: the paper's 256/6, k5, p2. */
export const convMixerConfigSchema = z
  .strictObject({
    name: z.literal("convmixer"),
    input: inputShapeSchema,
    classes: classesField,
    dim: integerField("dim").default(256),
    depth: integerField("depth").default(6),
    /** Depthwise kernel; odd, so that 'same' padding is symmetric. */
    kernel: integerField("kernel")
      .refine((kernel) => kernel % 2 === 1, { error: "kernel must be odd" })
      .default(5),
    patch: integerField("patch").default(2),
    affineBatchNorm: affineBatchNormField,
  })
  .superRefine(checkPatchTilesImage)
  .superRefine((config, context) => {
    // 'same' padding would let any kernel run, but one wider than the feature map sees padding.
    for (const side of ["height", "width"] as const) {
      const mapSide = Math.floor(config.input[side] / config.patch);
      if (config.kernel > mapSide) {
        context.addIssue({
          code: "custom",
          message: `kernel ${config.kernel} is larger than the ${mapSide}-pixel ${side} of the feature map (input.${side} ${config.input[side]} / patch ${config.patch})`,
          path: ["kernel"],
        });
        return;
      }
    }
  });

export type ConvMixerConfig = z.output<typeof convMixerConfigSchema>;
