import { type Command, InvalidArgumentError, Option } from "commander";
import { SAFETENSORS_FORMS, type SafetensorsForm } from "../artifact/safetensors/index.js";
import { exportSafetensorsFile } from "../artifact/safetensors/safetensors-file.js";
import { DATASET_NAMES } from "../data/dataset-source.js";
import { builtInDatasetRecord, type DatasetName } from "../data/index.js";
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
    .addOption(
      new Option(
        "--dataset <name>",
        "ONNX: the dataset the model was trained on, for a file that does not record it (its normalisation and class names go into the metadata)",
      ).choices(DATASET_NAMES),
    )
    .action(
      (
        file: string,
        options: {
          onnx?: string;
          safetensors?: string;
          form: SafetensorsForm;
          dataset?: DatasetName;
        },
      ) => {
        if (options.onnx === undefined && options.safetensors === undefined) {
          throw new InvalidArgumentError("give --onnx <file>, --safetensors <file>, or both");
        }
        if (options.onnx !== undefined) {
          const dataset =
            options.dataset === undefined ? undefined : builtInDatasetRecord(options.dataset);
          const { bytes, metadata, datasetRecorded } = exportOnnxFile(file, options.onnx, {
            dataset,
          });
          console.log(
            `${options.onnx}: ${bytes.toLocaleString("en-US")} bytes; input "${ONNX_INPUT}" [batch, channels, height, width] (normalised images), output "${ONNX_OUTPUT}" [batch, classes]`,
          );
          printMetadata(metadata);
          if (!datasetRecorded && dataset === undefined) {
            console.log(
              `${file} does not record its dataset (packed before pemn recorded it): the metadata has no normalisation or class names; give --dataset <name> to add them`,
            );
          }
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

/** The model's metadata_props, one per line: how to feed the model, read from the file itself. */
function printMetadata(metadata: ReadonlyMap<string, string>): void {
  console.log("metadata:");
  const width = Math.max(...[...metadata.keys()].map((key) => key.length));
  for (const [key, value] of metadata) console.log(`  ${key.padEnd(width)}  ${value}`);
}
