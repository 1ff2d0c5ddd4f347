import { z } from "zod";
import { affineBatchNormField, classesField, inputShapeSchema } from "./config-fields.js";

/** CIFAR ResNet (He et al. 2016, section 4.2): depth 6n + 2, three stages of n basic blocks. */
export const resnetConfigSchema = z.strictObject({
  name: z.literal("resnet"),
  input: inputShapeSchema,
  classes: classesField,
  /** 20, 32, 44, 56, 110, ...; the paper uses 32 and 56. */
  depth: z
    .number({ error: "depth must be a number" })
    .refine((depth) => Number.isInteger(depth) && depth >= 8 && (depth - 2) % 6 === 0, {
      error: "depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, ...)",
    })
    .default(32),
  /**
   * Shortcut where a stage starts (stride 2, channels doubled): `A` subsamples and pads
   * channels with zeros (parameter-free, the CIFAR paper's choice); `B` is a masked 1x1
   * conv + BatchNorm.
   */
  shortcut: z.enum(["A", "B"], { error: 'shortcut must be "A" or "B"' }).default("A"),
  affineBatchNorm: affineBatchNormField,
});

export type ResnetConfig = z.output<typeof resnetConfigSchema>;
