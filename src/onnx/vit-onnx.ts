import {
  sincosPositionEmbedding,
  type VitBlockLayout,
  type VitConfig,
  vitLayout,
} from "../models/pure.js";
import { intAttribute, intsAttribute } from "./onnx-graph.js";
import type { OnnxLayers } from "./onnx-layers.js";

/** The ViT (src/models/vit.ts) as ONNX nodes from `input` [N, C, H, W] to logits. */
export function vitOnnx(layers: OnnxLayers, config: VitConfig, input: string): string {
  const { graph } = layers;
  const layout = vitLayout(config);
  const tokens = layout.rows * layout.columns;
  const patches = layers.conv(input, layout.patchEmbed, { stride: config.patch });
  // [N, dim, rows, columns] -> [N, tokens, dim], tokens in row-major grid order
  const flat = graph.node("Reshape", [patches, graph.int64([0, config.dim, tokens])]);
  let x = graph.node("Transpose", [flat], { perm: intsAttribute([0, 2, 1]) });
  const embedding =
    config.positionEmbedding === "learned"
      ? layers.storedTensor("positionEmbedding", [tokens, config.dim]).values
      : sincosPositionEmbedding(layout.rows, layout.columns, config.dim);
  x = layers.add(x, graph.float32("positionEmbedding", [tokens, config.dim], embedding));
  layout.blocks.forEach((block, index) => {
    const name = `blocks.${index}`;
    const attended = selfAttention(
      layers,
      config,
      block,
      tokens,
      layers.layerNorm(x, `${name}.attentionNorm`, config.dim),
    );
    x = layers.add(x, attended);
    const hidden = layers.gelu(
      layers.linear(layers.layerNorm(x, `${name}.mlpNorm`, config.dim), block.fc1),
    );
    x = layers.add(x, layers.linear(hidden, block.fc2));
  });
  return layers.linear(
    layers.mean(layers.layerNorm(x, "norm", config.dim), [1]),
    layout.classifier,
  );
}

/** Multi-head self-attention over [N, tokens, dim], as SelfAttention computes it. */
function selfAttention(
  layers: OnnxLayers,
  config: VitConfig,
  block: VitBlockLayout,
  tokens: number,
  input: string,
): string {
  const { graph } = layers;
  const headDim = config.dim / config.heads;
  // [N, T, 3 D] -> [3, N, heads, T, headDim]
  const qkv = graph.node(
    "Transpose",
    [
      graph.node("Reshape", [
        layers.linear(input, block.qkv),
        graph.int64([0, tokens, 3, config.heads, headDim]),
      ]),
    ],
    { perm: intsAttribute([2, 0, 3, 1, 4]) },
  );
  const part = (index: number) =>
    graph.node("Gather", [qkv, graph.int64([index], [])], { axis: intAttribute(0) });
  const query = graph.node("Mul", [part(0), graph.scalar(1 / Math.sqrt(headDim))]);
  const keys = graph.node("Transpose", [part(1)], { perm: intsAttribute([0, 1, 3, 2]) });
  const attention = graph.node("Softmax", [graph.node("MatMul", [query, keys])], {
    axis: intAttribute(-1),
  });
  const mixed = graph.node("Transpose", [graph.node("MatMul", [attention, part(2)])], {
    perm: intsAttribute([0, 2, 1, 3]),
  });
  return layers.linear(
    graph.node("Reshape", [mixed, graph.int64([0, tokens, config.dim])]),
    block.proj,
  );
}
