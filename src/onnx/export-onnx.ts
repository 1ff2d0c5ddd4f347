import type { DecodedModel } from "../artifact/decode-model.js";
import { DATASET_NAMES } from "../data/dataset-source.js";
import { datasetStats } from "../data/normalization.js";
import { BATCH, backboneOf } from "../models/pure.js";
import { OnnxGraph } from "./onnx-graph.js";
import { OnnxBuilder } from "./onnx-network.js";

/** Names of the exported graph's input, [batch, channels, height, width], and output, [batch, classes]. */
export const ONNX_INPUT = "input";
export const ONNX_OUTPUT = "logits";

/**
 * A decoded `.pemn` model as an ONNX model (opset 17): its backbone's network built as ONNX
 * nodes, the masks folded into the weights (W * M), BatchNorm in evaluation mode. The input is
 * normalised images as pemn feeds them to its own models; the output is logits. When the file
 * records its dataset, the model's metadata_props carry it (onnxMetadata).
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
    metadata: onnxMetadata(decoded),
  });
}

/**
 * metadata_props of an exported model whose `.pemn` records its dataset: `dataset` (its
 * name), `class_names` (a JSON list, label order) when known, and `normalization` (JSON
 * `{ mean, std }` per channel, of pixel values in [0, 1]) when the dataset is one pemn knows.
 */
export function onnxMetadata(decoded: DecodedModel): [string, string][] {
  const { dataset } = decoded;
  if (dataset === undefined) return [];
  const metadata: [string, string][] = [["dataset", dataset.name]];
  if (dataset.classNames !== undefined) {
    metadata.push(["class_names", JSON.stringify(dataset.classNames)]);
  }
  const known = DATASET_NAMES.find((name) => name === dataset.name);
  if (known !== undefined) {
    metadata.push([
      "normalization",
      JSON.stringify(datasetStats(known, decoded.model.input.channels)),
    ]);
  }
  return metadata;
}
