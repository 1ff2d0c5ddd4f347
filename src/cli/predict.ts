import { type Command, Option } from "commander";
import { attributeToFile, readDecodedModel } from "../artifact/pemn-file.js";
import { builtInDatasetRecord, DATASET_NAMES, type DatasetName } from "../data/index.js";
import { availableMemoryBytes } from "../io/machine-memory.js";
import { PemnClassifier } from "../predict/pemn-classifier.js";
import { readImagePixels } from "../predict/read-image.js";
import { formatPercent } from "../text/percent.js";
import { deviceOption } from "./arguments.js";

interface PredictOptions {
  json?: boolean;
  dataset?: DatasetName;
  device: string;
}

export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("classify image files with a .pemn file's model")
    .argument("<model>", "a .pemn file")
    .argument("<images...>", "image files (PNG, JPEG, WebP, ...), resized to the model's input")
    .addOption(
      new Option(
        "--dataset <name>",
        "the dataset the model was trained on, for a file that does not record it (its normalisation and class names)",
      ).choices(DATASET_NAMES),
    )
    .addOption(deviceOption())
    .option("--json", "print the predictions as JSON")
    .action(async (file: string, images: string[], options: PredictOptions) => {
      const decoded = readDecodedModel(file, {
        use: "evaluate",
        availableBytes: availableMemoryBytes(),
      });
      if (decoded.dataset === undefined && options.dataset === undefined) {
        throw new Error(
          `${file} does not record its dataset (packed before pemn recorded it), so not how its inputs were normalised: give --dataset <name>`,
        );
      }
      const { input } = decoded.model;
      const pixels = new Uint8Array(images.length * input.channels * input.height * input.width);
      for (const [index, image] of images.entries()) {
        pixels.set(await readImagePixels(image, input), (index * pixels.length) / images.length);
      }
      const classifier = attributeToFile(file, () => {
        try {
          return PemnClassifier.fromDecoded(decoded, {
            ...(options.dataset === undefined
              ? {}
              : { dataset: builtInDatasetRecord(options.dataset) }),
            device: options.device,
          });
        } catch (error) {
          throw new Error(`${file}: ${(error as Error).message}`);
        }
      });
      try {
        const predictions = classifier.predict(pixels);
        if (options.json) {
          console.log(
            JSON.stringify(
              predictions.map(({ predicted, className, probability, probabilities }, index) => ({
                file: images[index],
                predicted,
                ...(className === undefined ? {} : { class: className }),
                probability,
                probabilities,
              })),
            ),
          );
          return;
        }
        for (const [index, { predicted, className, probability }] of predictions.entries()) {
          console.log(
            `${images[index]}: ${className ?? `class ${predicted}`} (${formatPercent(probability)})`,
          );
        }
      } finally {
        classifier.dispose();
      }
    });
}
