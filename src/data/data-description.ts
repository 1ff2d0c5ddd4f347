import { CLASS_NAMES } from "./class-names.js";
import type { DatasetName } from "./dataset.js";
import { DATASET_NAMES } from "./dataset-source.js";
import type { ImageShape } from "./image-shape.js";
import { type ChannelStats, datasetStats } from "./normalization.js";

/** What a `.pemn` file records of its training data (its header's `dataset`, docs/format.md). */
export interface DatasetRecordLike {
  readonly name: string;
  readonly classNames?: readonly string[];
}

/**
 * What a model's inputs and outputs mean, as pemn fed it data in training: the dataset, how
 * its pixels were normalised, and the classes' names. Derived in one place from a file's
 * dataset record (describeData), so the ONNX export's metadata, `pemn predict`, the library's
 * PemnClassifier and the web page agree. Pure: no engine, no Node built-ins.
 */
export interface DataDescription {
  /** The dataset trained on ("fashion-mnist", "folder", ...). */
  readonly dataset: string;
  /**
   * Per-channel mean and standard deviation of pixel values scaled to [0, 1]: a pixel value v
   * of channel c enters the model as (v / 255 - mean[c]) / std[c]. null for a dataset name
   * this pemn does not know (a file from another version): its constants are not known.
   */
  readonly normalization: ChannelStats | null;
  /** The classes' names in label order, where the file records them. */
  readonly classNames?: readonly string[];
}

/** A model's input and class count, as its configuration gives them. */
export interface ModelShape {
  readonly input: ImageShape;
  readonly classes: number;
}

/**
 * The description of a model's data from its file's dataset record (null when the file has
 * none): the record's name and class names, the named dataset's normalisation constants for
 * the model's channels (datasetStats).
 */
export function describeData(
  record: DatasetRecordLike | undefined,
  model: ModelShape,
): DataDescription | null {
  if (record === undefined) return null;
  const known = DATASET_NAMES.find((name) => name === record.name);
  return {
    dataset: record.name,
    normalization: known === undefined ? null : datasetStats(known, model.input.channels),
    ...(record.classNames === undefined ? {} : { classNames: record.classNames }),
  };
}

/**
 * The record a built-in dataset gives a file that has none (`pemn export --dataset`, `pemn
 * predict --dataset`): its name and, where published, its class names.
 */
export function builtInDatasetRecord(name: DatasetName): DatasetRecordLike {
  const classNames = CLASS_NAMES[name];
  return classNames === undefined ? { name } : { name, classNames: [...classNames] };
}

/**
 * Why `data` cannot describe a model of this shape (a mean per channel, a name per class), or
 * null when it can.
 */
export function dataMismatch(data: DataDescription, model: ModelShape): string | null {
  const channels = model.input.channels;
  const means = data.normalization?.mean.length ?? channels;
  if (means !== channels) {
    return `${data.dataset}'s images have ${means} channels, the model's ${channels}`;
  }
  const names = data.classNames?.length ?? model.classes;
  if (names !== model.classes) {
    return `${data.dataset} has ${names} classes, the model ${model.classes}`;
  }
  return null;
}
