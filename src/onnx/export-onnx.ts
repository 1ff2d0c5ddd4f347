import type { DecodedModel } from "../artifact/decode-model.js";
import { type DatasetRecordLike, describeData } from "../data/data-description.js";
import { BATCH, backboneOf } from "../models/pure.js";
import { OnnxGraph } from "./onnx-graph.js";
import { INPUT_SCALING, onnxMetadataEntries } from "./onnx-metadata.js";
import { OnnxBuilder } from "./onnx-network.js";

/** Names of the exported graph's input, [batch, channels, height, width], and output, [batch, classes]. */
export const ONNX_INPUT = "input";
export const ONNX_OUTPUT = "logits";

/**
 * A decoded `.pemn` model as an ONNX model (opset 17): its backbone's network built as ONNX
 * nodes, the masks folded into the weights (W * M), BatchNorm in evaluation mode. The input is
 * normalised images as pemn feeds them to its own models; the output is logits. The model's
 * metadata_props say so (onnx-metadata.ts): the input's layout and shape, and the file's
 * dataset, its normalisation and class names (`dataset` stands in for a file without one).
 */
export function exportOnnx(
  decoded: DecodedModel,
  options: { readonly dataset?: DatasetRecordLike } = {},
): Uint8Array {
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
  const data = describeData(decoded.dataset ?? options.dataset, model);
  return graph.encode({
    name: `pemn-${model.name}`,
    input: ONNX_INPUT,
    inputShape: [null, channels, height, width],
    output: logits.name,
    outputName: ONNX_OUTPUT,
    outputShape: [null, model.classes],
    metadata: onnxMetadataEntries(model, data),
    docString:
      `pemn ${model.name}: input "${ONNX_INPUT}" [batch, ${channels}, ${height}, ${width}], ` +
      (data?.normalization == null
        ? "normalised images (how is not recorded)"
        : `${data.dataset} images as ${INPUT_SCALING} (metadata)`) +
      `; output "${ONNX_OUTPUT}" [batch, ${model.classes}] logits.`,
  });
}
