import { type MlpConfig, mlpLayout } from "../models/pure.js";
import { intAttribute } from "./onnx-graph.js";
import type { OnnxLayers } from "./onnx-layers.js";

/** The MLP (src/models/mlp.ts) as ONNX nodes from `input` [N, C, H, W] to logits. */
export function mlpOnnx(layers: OnnxLayers, config: MlpConfig, input: string): string {
  const layout = mlpLayout(config);
  let x = layers.graph.node("Flatten", [input], { axis: intAttribute(1) });
  layout.hidden.forEach((layer, index) => {
    const linear = layers.linear(x, layer);
    x = layers.relu(
      config.batchNorm
        ? layers.batchNorm(linear, `hidden.${index}.norm`, layer.shape[0] as number)
        : linear,
    );
  });
  return layers.linear(x, layout.classifier);
}
