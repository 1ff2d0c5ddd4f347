import { type Command, Option } from "commander";
import { DATASET_NAMES } from "../data/dataset-source.js";
import { builtInDatasetRecord, type DatasetName } from "../data/index.js";
import { exportOnnxFile } from "../onnx/export-onnx-file.js";
import { ONNX_INPUT, ONNX_OUTPUT } from "../onnx/index.js";

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("export a .pemn file's model to ONNX, masks folded into the weights")
    .argument("<file>", "a .pemn file")
    .requiredOption("--onnx <file>", "the ONNX file to write (opset 17)")
    .addOption(
      new Option(
        "--dataset <name>",
        "the dataset the model was trained on, for a file that does not record it (its normalisation and class names go into the metadata)",
      ).choices(DATASET_NAMES),
    )
    .action((file: string, options: { onnx: string; dataset?: DatasetName }) => {
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
    });
}

/** The model's metadata_props, one per line: how to feed the model, read from the file itself. */
function printMetadata(metadata: ReadonlyMap<string, string>): void {
  console.log("metadata:");
  const width = Math.max(...[...metadata.keys()].map((key) => key.length));
  for (const [key, value] of metadata) console.log(`  ${key.padEnd(width)}  ${value}`);
}
