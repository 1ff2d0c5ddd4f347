import type { DecodedModel } from "../artifact/decode-model.js";
import { BATCH, backboneOf } from "../models/pure.js";
import { OnnxGraph } from "./onnx-graph.js";
import { OnnxBuilder } from "./onnx-network.js";

/** Names of the exported graph's input, [batch, channels, height, width], and output, [batch, classes]. */
export const ONNX_INPUT = "input";
export const ONNX_OUTPUT = "logits";

/**
 * A decoded `.pemn` model as an ONNX model (opset 17): its backbone's network built as ONNX
 * nodes, the masks folded into the weights (W * M), BatchNorm in evaluation mode. The input is
 * normalised images as pemn feeds them to its own models; the output is logits.
 */
export function exportOnnx(decoded: DecodedModel): Uint8Array {
  const graph = new OnnxGraph();
  const builder = new OnnxBuilder(graph, decoded);
  const { model } = decoded;
  const { channels, height, width } = model.input;
  const logits = backboneOf(model).network(
    builder,
    { name: ONNX_INPUT, shape: [BATCH, channels, height, width] },
    model,
  );
  builder.checkAllStoredTensorsUsed();
  return graph.encode({
    name: `pemn-${model.name}`,
    input: ONNX_INPUT,
    inputShape: [null, channels, height, width],
    output: logits.name,
    outputName: ONNX_OUTPUT,
    outputShape: [null, model.classes],
  });
}
