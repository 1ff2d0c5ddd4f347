import { z } from "zod";
import { defineBackbone } from "../backbone.js";
import { classesField, inputShapeSchema } from "../config-fields.js";

/**
 * The Conv-2/4/6/8 networks of the lottery-ticket paper (Frankle & Carbin 2019, figure 2)
 * and of edge-popup (Ramanujan et al. 2020, table 1, which adds Conv-8): VGG-like pairs of
 * 3x3 convs (64, 128, 256, 512 channels) each pair followed by 2x2 max pooling, then linear
 * layers of 256, 256 and the classes, ReLU between every two layers, no norms and no biases.
 * `width` scales every hidden width, as edge-popup's width experiments do.
 */
export const convConfigSchema = z
  .strictObject({
    name: z.literal("conv"),
    input: inputShapeSchema,
    classes: classesField,
    depth: z
      .union([z.literal(2), z.literal(4), z.literal(6), z.literal(8)], {
        error: "depth must be 2, 4, 6 or 8 (conv layers)",
      })
      .default(4),
    width: z
      .number({ error: "width must be a number" })
      .positive({ error: "width must be > 0" })
      .default(1),
  })
  .superRefine((config, context) => {
    const pools = config.depth / 2;
    for (const side of ["height", "width"] as const) {
      if (config.input[side] < 2 ** pools) {
        context.addIssue({
          code: "custom",
          message: `Conv-${config.depth} pools ${pools} times, which needs input.${side} >= ${2 ** pools}, got ${config.input[side]}`,
          path: ["depth"],
        });
      }
    }
  });

export type ConvConfig = z.output<typeof convConfigSchema>;

/** Channels of the conv pairs, in order; Conv-2n uses the first n. */
const PAIR_CHANNELS = [64, 128, 256, 512] as const;
const HIDDEN_FEATURES = [256, 256] as const;

export const conv = defineBackbone({
  name: "conv",
  summary:
    "Conv-2/4/6/8 (Frankle & Carbin 2019; Ramanujan et al. 2020): 3x3 conv pairs, max pool, 3 linears",
  schema: convConfigSchema,
  small: { depth: 6, width: 0.25 },
  flags: [
    { field: "depth", value: "integer", help: "conv layers, 2 | 4 | 6 | 8" },
    { field: "width", value: "number", help: "multiplier of every hidden width" },
  ],
  channelsLast: true,
  network(b, input, config) {
    const scaled = (features: number) => Math.max(1, Math.round(features * config.width));
    const features = b.sequence("pairs", input, config.depth / 2, (x, pair) => {
      const channels = scaled(PAIR_CHANNELS[pair] as number);
      const conv3x3 = (y: typeof x, name: string) =>
        b.relu(b.conv(y, name, { outChannels: channels, kernel: 3, padding: 1 }));
      return b.maxPool(conv3x3(conv3x3(x, "conv1"), "conv2"), 2);
    });
    const hidden = b.sequence(
      "hidden",
      b.flatten(features, 1),
      HIDDEN_FEATURES.length,
      (x, index) => b.relu(b.linear(x, "linear", scaled(HIDDEN_FEATURES[index] as number))),
    );
    return b.linear(hidden, "classifier", config.classes);
  },
});
