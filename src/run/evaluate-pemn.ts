import type { DecodedModel } from "../artifact/decode-model.js";
import { attributeToFile, readDecodedModel } from "../artifact/pemn-file.js";
import { PemnModelError } from "../artifact/pemn-model-error.js";
import {
  DATASET_NAMES,
  type DatasetName,
  type DatasetSource,
  type DatasetSplit,
  DEFAULT_DATASET,
  datasetInfo,
  loadDataset,
  prepareDataset,
} from "../data/index.js";
import { resolveDevice } from "../engine/index.js";
import { availableMemoryBytes } from "../io/machine-memory.js";
import { buildDecodedModel } from "../packing/build-decoded-model.js";
import type { PredictionsReceiver } from "../predict/predictions.js";
import { type Evaluation, type EvaluationProgress, evaluate } from "../train/index.js";

export interface PemnEvalOptions {
  readonly source: DatasetSource;
  /** The dataset's own training or test files (a run's validation split is not in a .pemn). */
  readonly split: DatasetSplit;
  readonly batchSize: number;
  /** "cpu" (default), "cuda", "cuda:N" or "auto". */
  readonly device?: string;
  readonly progress?: (split: string, images: number) => EvaluationProgress;
  /** Takes every batch's logits (per-image predictions), named by the file's dataset record. */
  readonly predictions?: PredictionsReceiver;
}

/** A `.pemn` file's model, decoded for evaluation (refused when the machine cannot hold it). */
export function readPemnForEvaluation(file: string): DecodedModel {
  return readDecodedModel(file, { use: "evaluate", availableBytes: availableMemoryBytes() });
}

/**
 * The dataset a file is evaluated on unless told: the one its header records, else (a file
 * packed before pemn recorded it) the default dataset. A recorded name this pemn does not know
 * is refused rather than replaced by a guess that would evaluate without complaint.
 */
export function recordedDatasetName(file: string, decoded: DecodedModel): DatasetName {
  const recorded = decoded.dataset?.name;
  if (recorded === undefined) return DEFAULT_DATASET;
  const known = DATASET_NAMES.find((name) => name === recorded);
  if (known === undefined) {
    throw new PemnModelError(
      "dataset-mismatch",
      `it was trained on "${recorded}", which this pemn does not know: name the dataset to evaluate on`,
      file,
    );
  }
  return known;
}

/**
 * Evaluates the model of a `.pemn` file on a dataset split. It predicts exactly what the
 * checkpoint it was packed from predicts (fp32 norms; fp16 ones are rounded).
 */
export function evaluatePemnFile(file: string, options: PemnEvalOptions): Evaluation {
  const decoded = readPemnForEvaluation(file);
  return evaluateDecoded(file, decoded, { ...options, source: sourceFor(decoded, options.source) });
}

/** evaluatePemnFile of a file already read, image files decoded first (into the data cache). */
export async function evaluatePemnModelAsync(
  file: string,
  decoded: DecodedModel,
  options: PemnEvalOptions,
): Promise<Evaluation> {
  const source = sourceFor(decoded, options.source);
  await prepareDataset(source);
  return evaluateDecoded(file, decoded, { ...options, source });
}

/**
 * The source as the model takes it: images decoded to the model's input size and colour, an
 * image folder's classes in the order the file names them (its labels), unless given, and
 * CIFAR-100's coarse labels for a model of as many classes (a record names the dataset, not
 * which labels; fine ones could not fit such a model anyway).
 */
function sourceFor(decoded: DecodedModel, source: DatasetSource): DatasetSource {
  if (source.name === "cifar100") {
    const coarse = { ...source, labels: "coarse" as const };
    return datasetInfo(coarse).classes === decoded.model.classes ? coarse : source;
  }
  if (source.name !== "folder" && source.name !== "tiny-imagenet") return source;
  const { channels, height, width } = decoded.model.input;
  const decodedAs = {
    ...source,
    size: [height, width] as [number, number],
    color: channels === 1 ? ("gray" as const) : ("rgb" as const),
  };
  const names = decoded.dataset?.name === "folder" ? decoded.dataset.classNames : undefined;
  return decodedAs.name === "folder" && decodedAs.classes === undefined && names !== undefined
    ? { ...decodedAs, classes: [...names] }
    : decodedAs;
}

function evaluateDecoded(
  file: string,
  decoded: DecodedModel,
  options: PemnEvalOptions,
): Evaluation {
  const { model: config } = decoded;
  const info = datasetInfo(options.source);
  const { channels, height, width } = config.input;
  if (
    info.channels !== channels ||
    info.height !== height ||
    info.width !== width ||
    info.classes !== config.classes
  ) {
    throw new PemnModelError(
      "dataset-mismatch",
      `the model takes ${channels}x${height}x${width} images in ${config.classes} classes, ${options.source.name} has ${info.channels}x${info.height}x${info.width} in ${info.classes}`,
      file,
    );
  }
  const dataset = loadDataset(options.source, options.split);
  const model = attributeToFile(file, () => buildDecodedModel(decoded));
  try {
    model.to(resolveDevice(options.device ?? "cpu"));
    return evaluate(
      model,
      dataset,
      options.batchSize,
      undefined,
      options.progress?.(options.split, dataset.count),
      options.predictions?.(decoded.dataset?.classNames),
    );
  } finally {
    model.dispose();
  }
}
