import type { Command } from "commander";
import { exportOnnxFile } from "../onnx/export-onnx-file.js";
import { ONNX_INPUT, ONNX_OUTPUT } from "../onnx/index.js";

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("export a .pemn file's model to ONNX, masks folded into the weights")
    .argument("<file>", "a .pemn file")
    .requiredOption("--onnx <file>", "the ONNX file to write (opset 17)")
    .action((file: string, options: { onnx: string }) => {
      const bytes = exportOnnxFile(file, options.onnx);
      console.log(
        `${options.onnx}: ${bytes.toLocaleString("en-US")} bytes; input "${ONNX_INPUT}" [batch, channels, height, width] (normalised images), output "${ONNX_OUTPUT}" [batch, classes]`,
      );
    });
}
