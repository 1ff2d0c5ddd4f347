import { z } from "zod";
import { defineBackbone } from "../backbone.js";
import {
  affineBatchNormField,
  classesField,
  inputShapeSchema,
  integerField,
} from "../config-fields.js";

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

export const mlp = defineBackbone({
  name: "mlp",
  summary: "multilayer perceptron over the flattened input (the paper's worked example)",
  schema: mlpConfigSchema,
  small: { hidden: [16, 16] },
  flags: [{ field: "hidden", value: "integers", help: "hidden widths, e.g. 100,100,100" }],
  channelsLast: false,
  network(b, input, config) {
    // linear -> BN -> ReLU per hidden width, then the classifier
    const hidden = b.sequence("hidden", b.flatten(input, 1), config.hidden.length, (x, index) => {
      const linear = b.linear(x, "linear", config.hidden[index] as number);
      return b.relu(
        config.batchNorm ? b.batchNorm(linear, "norm", { affine: config.affineBatchNorm }) : linear,
      );
    });
    return b.linear(hidden, "classifier", config.classes);
  },
});
