import { type ResnetBlockLayout, type ResnetConfig, resnetLayout } from "../models/pure.js";
import type { OnnxLayers } from "./onnx-layers.js";

/** Past any dimension: Slice clamps its ends to the dimension. */
const TO_THE_END = 2 ** 31 - 1;

/** The CIFAR ResNet (src/models/resnet.ts) as ONNX nodes from `input` [N, C, H, W] to logits. */
export function resnetOnnx(layers: OnnxLayers, config: ResnetConfig, input: string): string {
  const layout = resnetLayout(config);
  let x = layers.relu(
    layers.batchNorm(
      layers.conv(input, layout.stem, { padding: 1 }),
      "stemNorm",
      layout.stem.shape[0] as number,
    ),
  );
  layout.stages.forEach((blocks, stage) => {
    blocks.forEach((block, index) => {
      x = basicBlock(layers, block, `stages.${stage}.${index}`, x);
    });
  });
  return layers.linear(layers.mean(x, [2, 3]), layout.classifier);
}

/** relu(BN(conv2(relu(BN(conv1(x))))) + shortcut(x)) */
function basicBlock(
  layers: OnnxLayers,
  block: ResnetBlockLayout,
  name: string,
  input: string,
): string {
  const { stride } = block;
  const channels = block.conv1.shape[0] as number;
  const first = layers.relu(
    layers.batchNorm(
      layers.conv(input, block.conv1, { stride, padding: 1 }),
      `${name}.norm1`,
      channels,
    ),
  );
  const residual = layers.batchNorm(
    layers.conv(first, block.conv2, { padding: 1 }),
    `${name}.norm2`,
    channels,
  );
  return layers.relu(layers.add(residual, shortcut(layers, block, name, input)));
}

function shortcut(
  layers: OnnxLayers,
  block: ResnetBlockLayout,
  name: string,
  input: string,
): string {
  const { stride, projection } = block;
  if (projection) {
    return layers.batchNorm(
      layers.conv(input, projection, { stride }),
      `${name}.shortcut.norm`,
      projection.shape[0] as number,
    );
  }
  const [outChannels, inChannels] = block.conv1.shape as [number, number];
  if (stride === 1 && inChannels === outChannels) return input;
  // Option A: every stride-th pixel, new channels zero-padded on both sides.
  const { graph } = layers;
  const subsampled = graph.node("Slice", [
    input,
    graph.int64([0, 0]),
    graph.int64([TO_THE_END, TO_THE_END]),
    graph.int64([2, 3]),
    graph.int64([stride, stride]),
  ]);
  const before = Math.floor((outChannels - inChannels) / 2);
  const after = outChannels - inChannels - before;
  return graph.node("Pad", [subsampled, graph.int64([0, before, 0, 0, 0, after, 0, 0])]);
}
