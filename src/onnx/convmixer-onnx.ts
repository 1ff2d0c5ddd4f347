import { type ConvMixerConfig, convMixerLayout } from "../models/pure.js";
import type { OnnxLayers } from "./onnx-layers.js";

/** ConvMixer (src/models/convmixer.ts) as ONNX nodes from `input` [N, C, H, W] to logits. */
export function convMixerOnnx(layers: OnnxLayers, config: ConvMixerConfig, input: string): string {
  const layout = convMixerLayout(config);
  let x = layers.batchNorm(
    layers.gelu(layers.conv(input, layout.patchEmbed, { stride: config.patch })),
    "patchEmbedNorm",
    config.dim,
  );
  layout.blocks.forEach((block, index) => {
    const name = `blocks.${index}`;
    const mixed = layers.gelu(
      layers.conv(x, block.depthwise, { groups: config.dim, padding: (config.kernel - 1) / 2 }),
    );
    x = layers.add(x, layers.batchNorm(mixed, `${name}.depthwiseNorm`, config.dim));
    x = layers.batchNorm(
      layers.gelu(layers.conv(x, block.pointwise)),
      `${name}.pointwiseNorm`,
      config.dim,
    );
  });
  return layers.linear(layers.mean(x, [2, 3]), layout.classifier);
}
