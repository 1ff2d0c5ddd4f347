import { z } from "zod";
import {
  affineBatchNormField,
  classesField,
  inputShapeSchema,
  integerField,
} from "./config-fields.js";

/**
 * A multilayer perceptron over the flattened input. Its layer sizes are
 * [channels x height x width, ...hidden, classes]: the paper's example [512, 100, 100, 100, 10]
 * is input { channels: 512, height: 1, width: 1 }, classes 10 and the default hidden.
 */
export const mlpConfigSchema = z.strictObject({
  name: z.literal("mlp"),
  input: inputShapeSchema,
  classes: classesField,
  hidden: z
    .array(integerField("hidden[]"), { error: "hidden must be a list of layer widths" })
    .default([100, 100, 100]),
  /** BatchNorm after each hidden linear (before its ReLU). */
  batchNorm: z.boolean({ error: "batchNorm must be true or false" }).default(true),
  affineBatchNorm: affineBatchNormField,
});

export type MlpConfig = z.output<typeof mlpConfigSchema>;
