import { statSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  DATASET_NAMES,
  type DatasetSplit,
  DEFAULT_DATASET,
  parseDatasetSource,
  prepareDataset,
} from "../data/index.js";
import {
  PredictionCollector,
  type PredictionsReceiver,
  writePredictions,
} from "../predict/predictions.js";
import {
  evaluatePemnModelAsync,
  readPemnForEvaluation,
  recordedDatasetName,
} from "../run/evaluate-pemn.js";
import { type EvalSplit, evaluateRun, readRunConfig } from "../run/index.js";
import { formatPercent } from "../text/percent.js";
import type { Evaluation } from "../train/index.js";
import { evaluationBar } from "../train/index.js";
import { deviceOption, integer } from "./arguments.js";
import { downloadedSource, downloadOption } from "./download-option.js";

interface EvalOptions {
  split: EvalSplit;
  checkpoint?: "last" | "best";
  dataset?: string;
  dataDir?: string;
  batchSize: number;
  device: string;
  json?: boolean;
  download?: boolean;
  predictions?: string;
}

/** Batch size of a .pemn evaluation unless told (a run's own config has one). */
const PEMN_EVAL_BATCH_SIZE = 128;

export function registerEval(program: Command): void {
  program
    .command("eval")
    .description("evaluate a run's checkpoint on one of its splits, or a .pemn file on a dataset")
    .argument("<source>", "a directory written by pemn train, or a .pemn file")
    .addOption(
      new Option("--split <split>", "which split (a .pemn file: train or test)")
        .choices(["train", "validation", "test"])
        .default("test"),
    )
    .addOption(
      new Option("--checkpoint <which>", "run: which checkpoint (default last)").choices([
        "last",
        "best",
      ]),
    )
    .option(
      "--dataset <name>",
      `.pemn: ${DATASET_NAMES.join(" | ")} (default the one the file records, else ${DEFAULT_DATASET})`,
    )
    .option("--data-dir <dir>", ".pemn: directory of the dataset's files")
    .option(
      "--batch-size <n>",
      ".pemn: images per forward pass",
      integer({ min: 1 }),
      PEMN_EVAL_BATCH_SIZE,
    )
    .addOption(deviceOption())
    .addOption(downloadOption())
    .option("--json", "print the result as JSON")
    .option(
      "--predictions <file>",
      "also write every image's prediction as a JSON line (index, label, predicted, class, probabilities)",
    )
    .action(async (source: string, options: EvalOptions) => {
      const isRun = statSync(source, { throwIfNoEntry: false })?.isDirectory() ?? false;
      let collector: PredictionCollector | undefined;
      const predictions: PredictionsReceiver | undefined =
        options.predictions === undefined
          ? undefined
          : (classNames) => {
              collector = new PredictionCollector(classNames);
              return collector.onLogits;
            };
      const result = isRun
        ? await evaluateRunDir(source, options, predictions)
        : await evaluatePemn(source, options, predictions);
      if (options.predictions !== undefined && collector !== undefined) {
        writePredictions(options.predictions, collector.predictions);
      }
      const what = isRun ? `${options.checkpoint ?? "last"} checkpoint` : source;
      if (options.json)
        console.log(
          JSON.stringify({
            split: options.split,
            ...(isRun ? { checkpoint: options.checkpoint ?? "last" } : { file: source }),
            ...result,
          }),
        );
      else {
        console.log(
          `${options.split} (${what}): accuracy ${formatPercent(result.accuracy)}, loss ${result.loss.toFixed(4)}, ${result.count} images`,
        );
        if (options.predictions !== undefined) {
          console.log(`predictions: ${options.predictions}, a line per image`);
        }
      }
    });
}

async function evaluateRunDir(
  runDir: string,
  options: EvalOptions,
  predictions: PredictionsReceiver | undefined,
): Promise<Evaluation> {
  if (options.dataset !== undefined || options.dataDir !== undefined) {
    throw new InvalidArgumentError(
      `${runDir} is a run directory: it is evaluated on its own data (--dataset and --data-dir are for .pemn files)`,
    );
  }
  // --download: the run's own dataset, from the cache when the run's folder lacks files.
  const source = options.download
    ? parseDatasetSource(await downloadedSource(readRunConfig(runDir).data.source))
    : undefined;
  // Image files are decoded into the data cache first, if the run's were not (or are gone).
  await prepareDataset(source ?? readRunConfig(runDir).data.source);
  return evaluateRun(runDir, options.checkpoint ?? "last", options.split, {
    device: options.device,
    progress: evaluationBar,
    source,
    predictions,
  });
}

async function evaluatePemn(
  file: string,
  options: EvalOptions,
  predictions: PredictionsReceiver | undefined,
): Promise<Evaluation> {
  if (options.checkpoint !== undefined) {
    throw new InvalidArgumentError(`${file}: --checkpoint is for run directories, not .pemn files`);
  }
  if (options.split === "validation") {
    throw new InvalidArgumentError(
      `${file}: a .pemn file does not record its run's validation split: use --split test or train (the dataset's own files)`,
    );
  }
  const decoded = readPemnForEvaluation(file);
  const name = options.dataset ?? recordedDatasetName(file, decoded);
  // Only Fashion-MNIST has a default folder, and only an image folder cannot be downloaded.
  const downloadable = name !== "folder";
  const noFolder = options.dataDir === undefined && !(options.download && downloadable);
  if (options.dataset === undefined && name !== DEFAULT_DATASET && noFolder) {
    // The schema's "dir is required" would not say where the dataset's name came from.
    const download = downloadable ? " (or --download)" : "";
    throw new InvalidArgumentError(
      `${file} was trained on ${name} (its dataset record): give its files' folder with --data-dir${download}, or another dataset with --dataset`,
    );
  }
  const given = { name, dir: options.dataDir };
  return evaluatePemnModelAsync(file, decoded, {
    source: parseDatasetSource(options.download ? await downloadedSource(given) : given),
    split: options.split as DatasetSplit,
    batchSize: options.batchSize,
    device: options.device,
    progress: evaluationBar,
    predictions,
  });
}
