import { attributeToFile, readDecodedModel } from "../artifact/pemn-file.js";
import { writeArtifact } from "../artifact/write-artifact.js";
import { availableMemoryBytes } from "../io/machine-memory.js";
import { exportOnnx } from "./export-onnx.js";

/** Exports a `.pemn` file's model to an ONNX file (written atomically); returns its bytes. */
export function exportOnnxFile(pemnFile: string, onnxFile: string): number {
  const decoded = readDecodedModel(pemnFile, {
    use: "export",
    availableBytes: availableMemoryBytes(),
  });
  const onnx = attributeToFile(pemnFile, () => exportOnnx(decoded));
  writeArtifact(onnxFile, onnx);
  return onnx.length;
}
