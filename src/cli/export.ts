import { type Command, Option } from "commander";
import { SAFETENSORS_FORMS, type SafetensorsForm } from "../artifact/safetensors/index.js";
import { exportSafetensorsFile } from "../artifact/safetensors/safetensors-file.js";
import { exportOnnxFile } from "../onnx/export-onnx-file.js";
import { ONNX_INPUT, ONNX_OUTPUT } from "../onnx/index.js";

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("export a .pemn file's model to ONNX or safetensors")
    .argument("<file>", "a .pemn file")
    .option("--onnx <file>", "the ONNX file to write (opset 17), masks folded into the weights")
    .option("--safetensors <file>", "the safetensors file to write (docs/interop.md)")
    .addOption(
      new Option(
        "--form <form>",
        "safetensors: folded (W x M, a PyTorch state dict) or masked (W, packed masks, config)",
      )
        .choices(SAFETENSORS_FORMS)
        .default("folded"),
    )
    .action(
      (file: string, options: { onnx?: string; safetensors?: string; form: SafetensorsForm }) => {
        if (options.onnx === undefined && options.safetensors === undefined) {
          throw new Error("export: give --onnx <file>, --safetensors <file>, or both");
        }
        if (options.onnx !== undefined) {
          const bytes = exportOnnxFile(file, options.onnx);
          console.log(
            `${options.onnx}: ${bytes.toLocaleString("en-US")} bytes; input "${ONNX_INPUT}" [batch, channels, height, width] (normalised images), output "${ONNX_OUTPUT}" [batch, classes]`,
          );
        }
        if (options.safetensors !== undefined) {
          const { bytes, tensors } = exportSafetensorsFile(file, options.safetensors, options.form);
          console.log(
            `${options.safetensors}: ${bytes.toLocaleString("en-US")} bytes, ${tensors} tensors, ${options.form} form; load with scripts/pemn_torch.py (docs/interop.md)`,
          );
        }
      },
    );
}
