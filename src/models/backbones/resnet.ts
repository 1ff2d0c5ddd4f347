import { z } from "zod";
import { defineBackbone } from "../backbone.js";
import { affineBatchNormField, classesField, inputShapeSchema } from "../config-fields.js";

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

/** Channels of the three stages; each stage after the first halves height and width. */
const STAGE_WIDTHS = [16, 32, 64] as const;

export const resnet = defineBackbone({
  name: "resnet",
  summary: "CIFAR ResNet (He et al. 2016): 3x3 stem, three stages of basic blocks, depth 6n + 2",
  schema: resnetConfigSchema,
  small: { depth: 8, shortcut: "B" },
  flags: [
    { field: "depth", value: "integer", help: "layers, 6n + 2 (20, 32, 56, ...)" },
    { field: "shortcut", value: "string", help: "stage-start shortcut, A (pad) or B (1x1 conv)" },
  ],
  channelsLast: true,
  network(b, input, config) {
    type V = typeof input;
    const affine = config.affineBatchNorm;
    const norm = (x: V, name: string) => b.batchNorm(x, name, { affine });
    const conv3x3 = (x: V, name: string, outChannels: number, stride = 1) =>
      b.conv(x, name, { outChannels, kernel: 3, stride, padding: 1 });
    /** relu(BN(conv2(relu(BN(conv1(x))))) + shortcut(x)) */
    const basicBlock = (x: V, width: number, stride: number) => {
      const inChannels = b.shape(x)[1] as number;
      const first = b.relu(norm(conv3x3(x, "conv1", width, stride), "norm1"));
      const residual = norm(conv3x3(first, "conv2", width), "norm2");
      const reshapes = stride !== 1 || inChannels !== width;
      const shortcut = !reshapes
        ? x
        : config.shortcut === "B"
          ? b.scope("shortcut", () =>
              norm(b.conv(x, "conv", { outChannels: width, kernel: 1, stride }), "norm"),
            )
          : // Option A: every stride-th pixel, the new channels zero-padded on both sides.
            b.padChannels(
              b.subsample(x, stride),
              Math.floor((width - inChannels) / 2),
              Math.ceil((width - inChannels) / 2),
            );
      return b.relu(b.add(residual, shortcut));
    };
    const blocksPerStage = (config.depth - 2) / 6;
    const stem = b.relu(norm(conv3x3(input, "stem", STAGE_WIDTHS[0]), "stemNorm"));
    // Blocks are named stages.<stage>.<index>.
    const features = b.scope("stages", () =>
      STAGE_WIDTHS.reduce(
        (x, width, stage) =>
          b.sequence(String(stage), x, blocksPerStage, (y, index) =>
            basicBlock(y, width, stage > 0 && index === 0 ? 2 : 1),
          ),
        stem,
      ),
    );
    return b.linear(b.mean(features, [2, 3]), "classifier", config.classes);
  },
});
