import { z } from "zod";
import { defineBackbone } from "../backbone.js";
import {
  affineBatchNormField,
  checkPatchTilesImage,
  classesField,
  inputShapeSchema,
  integerField,
} from "../config-fields.js";

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

export const convMixer = defineBackbone({
  name: "convmixer",
  summary: "ConvMixer (Trockman & Kolter 2022): patch conv, depthwise + pointwise mixer blocks",
  schema: convMixerConfigSchema,
  small: { dim: 16, depth: 2, kernel: 3 },
  flags: [
    { field: "dim", value: "integer", help: "width" },
    { field: "depth", value: "integer", help: "mixer blocks" },
    { field: "kernel", value: "integer", help: "depthwise kernel (odd)" },
    { field: "patch", value: "integer", help: "patch size" },
  ],
  channelsLast: true,
  network(b, input, config) {
    const affine = config.affineBatchNorm;
    const norm = (x: typeof input, name: string) => b.batchNorm(x, name, { affine });
    const patches = b.conv(input, "patchEmbed", {
      outChannels: config.dim,
      kernel: config.patch,
      stride: config.patch,
    });
    const embedded = norm(b.gelu(patches), "patchEmbedNorm");
    // residual(depthwise conv -> GELU -> BN) -> 1x1 conv -> GELU -> BN
    const mixed = b.sequence("blocks", embedded, config.depth, (x) =>
      b.chain(
        x,
        (y) =>
          b.add(
            y,
            b.chain(
              y,
              (z) =>
                b.conv(z, "depthwise", {
                  outChannels: config.dim,
                  kernel: config.kernel,
                  groups: config.dim,
                  padding: "same",
                }),
              (z) => b.gelu(z),
              (z) => norm(z, "depthwiseNorm"),
            ),
          ),
        (y) => b.conv(y, "pointwise", { outChannels: config.dim, kernel: 1 }),
        (z) => b.gelu(z),
        (y) => norm(y, "pointwiseNorm"),
      ),
    );
    return b.linear(b.mean(mixed, [2, 3]), "classifier", config.classes);
  },
});
