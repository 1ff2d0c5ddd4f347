import { z } from "zod";
import { defineBackbone } from "../backbone.js";
import {
  checkPatchTilesImage,
  classesField,
  inputShapeSchema,
  integerField,
} from "../config-fields.js";

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

/** Standard deviation of a learned position embedding's start (timm's, and BERT's). */
const POSITION_EMBEDDING_INIT_STD = 0.02;

/**
 * ViT for small images: patch conv, position embedding, pre-norm blocks, final LayerNorm,
 * global average pooling over the tokens (no class token), classifier.
 */
export const vit = defineBackbone({
  name: "vit",
  summary: "Vision Transformer for small images: patch conv, pre-norm blocks, mean-pooled tokens",
  schema: vitConfigSchema,
  small: { dim: 16, depth: 1, heads: 2 },
  flags: [
    { field: "dim", value: "integer", help: "width" },
    { field: "depth", value: "integer", help: "transformer blocks" },
    { field: "patch", value: "integer", help: "patch size" },
    { field: "heads", value: "integer", help: "attention heads" },
    { field: "mlpRatio", value: "number", help: "MLP width as a multiple of dim" },
  ],
  channelsLast: false,
  network(b, input, config) {
    type V = typeof input;
    const { dim, heads } = config;
    const rows = config.input.height / config.patch;
    const columns = config.input.width / config.patch;
    const tokens = rows * columns;
    const patches = b.conv(input, "patchEmbed", {
      outChannels: dim,
      kernel: config.patch,
      stride: config.patch,
    });
    // [N, dim, rows, columns] -> [N, rows x columns, dim], tokens in row-major grid order
    const sequence = b.transpose(b.flatten(patches, 2), 1, 2);
    const position =
      config.positionEmbedding === "learned"
        ? b.parameter("positionEmbedding", [tokens, dim], {
            kind: "normal",
            std: POSITION_EMBEDDING_INIT_STD,
          })
        : b.constant("positionEmbedding", [tokens, dim], () =>
            sincosPositionEmbedding(rows, columns, dim),
          );
    /** Multi-head self-attention over [N, tokens, dim], written with matmul and softmax. */
    const attention = (x: V) => {
      const [batch] = b.shape(x) as [number];
      const headDim = dim / heads;
      // [N, T, 3 D] -> [3, N, heads, T, headDim]
      const qkv = b.permute(
        b.reshape(b.linear(x, "qkv", 3 * dim), [batch, tokens, 3, heads, headDim]),
        [2, 0, 3, 1, 4],
      );
      const query = b.scale(b.select(qkv, 0, 0), 1 / Math.sqrt(headDim));
      const weights = b.softmax(b.matmul(query, b.transpose(b.select(qkv, 0, 1), 2, 3)), -1);
      const mixed = b.transpose(b.matmul(weights, b.select(qkv, 0, 2)), 1, 2);
      return b.linear(b.reshape(mixed, [batch, tokens, dim]), "proj", dim);
    };
    const feedForward = (x: V) =>
      b.linear(b.gelu(b.linear(x, "fc1", dim * config.mlpRatio)), "fc2", dim);
    // Pre-norm block: x + attention(LN(x)), then x + MLP(LN(x)).
    const encoded = b.sequence("blocks", b.add(sequence, position), config.depth, (x) => {
      const normed = b.layerNorm(x, "attentionNorm");
      const attended = b.add(
        x,
        b.scope("attention", () => attention(normed)),
      );
      const normedAgain = b.layerNorm(attended, "mlpNorm");
      return b.add(
        attended,
        b.scope("mlp", () => feedForward(normedAgain)),
      );
    });
    return b.linear(b.mean(b.layerNorm(encoded, "norm"), [1]), "classifier", config.classes);
  },
});

/**
 * Fixed 2-D sine-cosine position codes ("Better plain ViT baselines", Beyer et al. 2022):
 * for the token at (row, column), with omega_i = 10000^(-i / (dim / 4)), i < dim / 4,
 * the features are [sin(column omega), cos(column omega), sin(row omega), cos(row omega)].
 * Returns [rows x columns, dim] row-major, tokens in row-major grid order. Math.sin is not
 * specified bit for bit, so another JavaScript engine may differ in a last float32 bit.
 */
export function sincosPositionEmbedding(rows: number, columns: number, dim: number): Float32Array {
  if (dim % 4 !== 0) throw new RangeError(`dim ${dim} must be a multiple of 4`);
  const quarter = dim / 4;
  const out = new Float32Array(rows * columns * dim);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const offset = (row * columns + column) * dim;
      for (let i = 0; i < quarter; i++) {
        const omega = 10000 ** (-i / quarter);
        out[offset + i] = Math.sin(column * omega);
        out[offset + quarter + i] = Math.cos(column * omega);
        out[offset + 2 * quarter + i] = Math.sin(row * omega);
        out[offset + 3 * quarter + i] = Math.cos(row * omega);
      }
    }
  }
  return out;
}
