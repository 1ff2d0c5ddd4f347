import { attributeToFile, readDecodedModel } from "../artifact/pemn-file.js";
import { writeArtifact } from "../artifact/write-artifact.js";
import {
  type DataDescription,
  type DatasetRecordLike,
  dataMismatch,
  describeData,
} from "../data/data-description.js";
import { availableMemoryBytes } from "../io/machine-memory.js";
import { exportOnnx } from "./export-onnx.js";
import { readOnnxMetadata } from "./onnx-metadata.js";

/**
 * Exports a `.pemn` file's model to an ONNX file (written atomically); returns its bytes and
 * the metadata it carries. `dataset` stands in for the record of a file that has none; one
 * naming another dataset than the file's, or not fitting the model, is refused.
 */
export function exportOnnxFile(
  pemnFile: string,
  onnxFile: string,
  options: { readonly dataset?: DatasetRecordLike } = {},
): { bytes: number; metadata: ReadonlyMap<string, string>; datasetRecorded: boolean } {
  const decoded = readDecodedModel(pemnFile, {
    use: "export",
    availableBytes: availableMemoryBytes(),
  });
  const recorded = decoded.dataset;
  const given = options.dataset;
  if (given !== undefined) {
    if (recorded !== undefined && given.name !== recorded.name) {
      throw new Error(
        `${pemnFile}: the file records that its model was trained on ${recorded.name}, not ${given.name}`,
      );
    }
    const problem = dataMismatch(
      describeData(given, decoded.model) as DataDescription,
      decoded.model,
    );
    if (problem !== null)
      throw new Error(`${pemnFile}: ${given.name} does not fit the model: ${problem}`);
  }
  const onnx = attributeToFile(pemnFile, () =>
    exportOnnx(decoded, given === undefined ? {} : { dataset: given }),
  );
  writeArtifact(onnxFile, onnx);
  return {
    bytes: onnx.length,
    metadata: readOnnxMetadata(onnx),
    datasetRecorded: recorded !== undefined,
  };
}
