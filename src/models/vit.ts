import { F, type Tensor, tensor } from "../engine/index.js";
import { Layer, LayerNorm, type MaskedConv2d, type MaskedLinear } from "../nn/index.js";
import { createGenerator } from "../random/index.js";
import { assertInputShape } from "./input-shape-check.js";
import type { MaskedLayerMaker } from "./masked-layer-maker.js";
import { Sequential } from "./sequential.js";
import { sincosPositionEmbedding } from "./sincos-position-embedding.js";
import type { VitConfig } from "./vit-config.js";
import { type VitBlockLayout, vitLayout } from "./vit-layout.js";

/** Standard deviation of a learned position embedding's start (timm's, and BERT's). */
const POSITION_EMBEDDING_INIT_STD = 0.02;

/** Multi-head self-attention over [N, tokens, dim], written with matmul and softmax. */
class SelfAttention extends Layer {
  readonly qkv: MaskedLinear;
  readonly proj: MaskedLinear;
  readonly #heads: number;

  constructor(layout: VitBlockLayout, heads: number, layers: MaskedLayerMaker) {
    super();
    this.qkv = this.registerModule("qkv", layers.linear(layout.qkv));
    this.proj = this.registerModule("proj", layers.linear(layout.proj));
    this.#heads = heads;
  }

  forward(input: Tensor): Tensor {
    const [batch, tokens, dim] = input.shape as [number, number, number];
    const headDim = dim / this.#heads;
    // [N, T, 3 D] -> [3, N, heads, T, headDim]
    const qkv = this.qkv
      .forward(input)
      .reshape(batch, tokens, 3, this.#heads, headDim)
      .permute(2, 0, 3, 1, 4);
    const query = qkv.select(0, 0).mul(1 / Math.sqrt(headDim));
    const attention = F.softmax(query.matmul(qkv.select(0, 1).transpose(2, 3)), -1);
    const mixed = attention.matmul(qkv.select(0, 2)).transpose(1, 2).reshape(batch, tokens, dim);
    return this.proj.forward(mixed);
  }
}

class FeedForward extends Layer {
  readonly fc1: MaskedLinear;
  readonly fc2: MaskedLinear;

  constructor(layout: VitBlockLayout, layers: MaskedLayerMaker) {
    super();
    this.fc1 = this.registerModule("fc1", layers.linear(layout.fc1));
    this.fc2 = this.registerModule("fc2", layers.linear(layout.fc2));
  }

  forward(input: Tensor): Tensor {
    return this.fc2.forward(F.gelu(this.fc1.forward(input)));
  }
}

/** Pre-norm transformer block: x + attention(LN(x)), then x + MLP(LN(x)). */
class TransformerBlock extends Layer {
  readonly attentionNorm: LayerNorm;
  readonly attention: SelfAttention;
  readonly mlpNorm: LayerNorm;
  readonly mlp: FeedForward;

  constructor(layout: VitBlockLayout, config: VitConfig, layers: MaskedLayerMaker) {
    super();
    this.attentionNorm = this.registerModule("attentionNorm", new LayerNorm(config.dim));
    this.attention = this.registerModule(
      "attention",
      new SelfAttention(layout, config.heads, layers),
    );
    this.mlpNorm = this.registerModule("mlpNorm", new LayerNorm(config.dim));
    this.mlp = this.registerModule("mlp", new FeedForward(layout, layers));
  }

  forward(input: Tensor): Tensor {
    const attended = input.add(this.attention.forward(this.attentionNorm.forward(input)));
    return attended.add(this.mlp.forward(this.mlpNorm.forward(attended)));
  }
}

/**
 * ViT for small images: patch conv, position embedding, pre-norm blocks, final LayerNorm,
 * global average pooling over the tokens (no class token), classifier.
 */
export class Vit extends Layer {
  readonly config: VitConfig;
  readonly patchEmbed: MaskedConv2d;
  /** [tokens, dim]: a parameter when learned, a buffer when sincos. */
  readonly positionEmbedding: Tensor;
  readonly blocks: Sequential<TransformerBlock>;
  readonly norm: LayerNorm;
  readonly classifier: MaskedLinear;

  constructor(config: VitConfig, layers: MaskedLayerMaker, scoreSeed: number) {
    super();
    this.config = config;
    const layout = vitLayout(config);
    this.patchEmbed = this.registerModule(
      "patchEmbed",
      layers.conv(layout.patchEmbed, { stride: config.patch }),
    );
    const tokens = layout.rows * layout.columns;
    const learned = config.positionEmbedding === "learned";
    const embedding = tensor(
      learned
        ? createGenerator(scoreSeed, "positionEmbedding").fillNormal(
            new Float32Array(tokens * config.dim),
            0,
            POSITION_EMBEDDING_INIT_STD,
          )
        : sincosPositionEmbedding(layout.rows, layout.columns, config.dim),
      [tokens, config.dim],
    );
    this.positionEmbedding = learned
      ? this.registerParameter("positionEmbedding", embedding)
      : this.registerBuffer("positionEmbedding", embedding);
    this.blocks = this.registerModule(
      "blocks",
      new Sequential(layout.blocks.map((block) => new TransformerBlock(block, config, layers))),
    );
    this.norm = this.registerModule("norm", new LayerNorm(config.dim));
    this.classifier = this.registerModule("classifier", layers.linear(layout.classifier));
  }

  forward(input: Tensor): Tensor {
    assertInputShape(input, this.config.input, "vit");
    // [N, dim, rows, columns] -> [N, rows x columns, dim], tokens in row-major grid order
    const tokens = this.patchEmbed.forward(input).flatten(2).transpose(1, 2);
    const encoded = this.norm.forward(this.blocks.forward(tokens.add(this.positionEmbedding)));
    return this.classifier.forward(encoded.mean([1]));
  }
}
