import { z } from "zod";
import {
  checkPatchTilesImage,
  classesField,
  inputShapeSchema,
  integerField,
} from "./config-fields.js";

/**
 * A ViT for small images. The paper names only dim and depth; the defaults for the rest
 * (patch 4, 8 heads, MLP ratio 2) are the project's, for 32x32 inputs (64 tokens).
 */
export const vitConfigSchema = z
  .strictObject({
    name: z.literal("vit"),
    input: inputShapeSchema,
    classes: classesField,
    dim: integerField("dim").default(256),
    depth: integerField("depth").default(6),
    patch: integerField("patch").default(4),
    heads: integerField("heads").default(8),
    /** Hidden width of each block's MLP as a multiple of dim. */
    mlpRatio: z
      .number({ error: "mlpRatio must be a number" })
      .positive({ error: "mlpRatio must be > 0" })
      .default(2),
    /**
     * `learned`: a trained parameter like LayerNorm's (stored with the norm parameters);
     * `sincos`: fixed 2-D sine-cosine codes, nothing to train or store.
     */
    positionEmbedding: z
      .enum(["learned", "sincos"], { error: 'positionEmbedding must be "learned" or "sincos"' })
      .default("learned"),
  })
  .superRefine((config, context) => {
    checkPatchTilesImage(config, context);
    const issue = (field: string, message: string) =>
      context.addIssue({ code: "custom", message, path: [field] });
    if (config.dim % config.heads !== 0) {
      issue("heads", `heads ${config.heads} does not divide dim ${config.dim}`);
    }
    if (!Number.isInteger(config.dim * config.mlpRatio)) {
      issue("mlpRatio", `mlpRatio ${config.mlpRatio} x dim ${config.dim} is not an integer`);
    }
    if (config.positionEmbedding === "sincos" && config.dim % 4 !== 0) {
      issue("dim", `dim ${config.dim} must be a multiple of 4 for sincos position embedding`);
    }
  });

export type VitConfig = z.output<typeof vitConfigSchema>;
