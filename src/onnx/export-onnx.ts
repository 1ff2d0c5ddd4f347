import type { DecodedModel } from "../artifact/decode-model.js";
import { convMixerOnnx } from "./convmixer-onnx.js";
import { mlpOnnx } from "./mlp-onnx.js";
import { OnnxGraph } from "./onnx-graph.js";
import { OnnxLayers } from "./onnx-layers.js";
import { resnetOnnx } from "./resnet-onnx.js";
import { vitOnnx } from "./vit-onnx.js";

/** Names of the exported graph's input, [batch, channels, height, width], and output, [batch, classes]. */
export const ONNX_INPUT = "input";
export const ONNX_OUTPUT = "logits";

/**
 * A decoded `.pemn` model as an ONNX model (opset 17): the masks folded into the weights
 * (W * M), BatchNorm in evaluation mode. The input is normalised images as pemn feeds them to
 * its own models; the output is logits.
 */
export function exportOnnx(decoded: DecodedModel): Uint8Array {
  const graph = new OnnxGraph();
  const layers = new OnnxLayers(graph, decoded);
  const { model } = decoded;
  const logits = (() => {
    switch (model.name) {
      case "convmixer":
        return convMixerOnnx(layers, model, ONNX_INPUT);
      case "resnet":
        return resnetOnnx(layers, model, ONNX_INPUT);
      case "mlp":
        return mlpOnnx(layers, model, ONNX_INPUT);
      case "vit":
        return vitOnnx(layers, model, ONNX_INPUT);
    }
  })();
  layers.checkAllStoredTensorsUsed();
  const { channels, height, width } = model.input;
  return graph.encode({
    name: `pemn-${model.name}`,
    input: ONNX_INPUT,
    inputShape: [null, channels, height, width],
    output: logits,
    outputName: ONNX_OUTPUT,
    outputShape: [null, model.classes],
  });
}
