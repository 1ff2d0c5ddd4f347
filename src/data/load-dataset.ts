import { statSync } from "node:fs";
import { join } from "node:path";
import { readFailureReason, readInputFile } from "../io/read-input-file.js";
import { CIFAR_CHANNELS, CIFAR_SIDE, cifarClassCount, parseCifarRecords } from "./cifar.js";
import type { Dataset } from "./dataset.js";
import { DatasetError } from "./dataset-error.js";
import type { DatasetSource, DatasetSplit } from "./dataset-source.js";
import { parseIdxImages, parseIdxLabels } from "./idx.js";
import {
  type ImageDatasetOptions,
  loadImageDataset,
  type PrepareImageOptions,
  prepareImageDataset,
} from "./image-files/image-dataset.js";

const MNIST_CLASSES = 10;

/**
 * Reads one split of a dataset from disk into memory. Image files (an image folder,
 * Tiny-ImageNet) are read from their decoded cache: prepareDataset first.
 */
export function loadDataset(
  source: DatasetSource,
  split: DatasetSplit,
  options: ImageDatasetOptions = {},
): Dataset {
  switch (source.name) {
    case "mnist":
    case "fashion-mnist":
      return loadIdxDataset(source.name, source.dir, split);
    case "cifar10":
    case "cifar100":
      return loadCifarDataset(source, split);
    case "folder":
    case "tiny-imagenet":
      return loadImageDataset(source, split, options);
  }
}

/**
 * Makes a source loadable synchronously: image files are decoded (with sharp, which is
 * asynchronous) into the decoded cache once; other datasets need nothing.
 */
export async function prepareDataset(
  source: DatasetSource,
  options: PrepareImageOptions = {},
): Promise<void> {
  if (source.name === "folder" || source.name === "tiny-imagenet") {
    await prepareImageDataset(source, options);
  }
}

/** prepareDataset, then loadDataset. */
export async function loadDatasetAsync(
  source: DatasetSource,
  split: DatasetSplit,
  options: PrepareImageOptions = {},
): Promise<Dataset> {
  await prepareDataset(source, options);
  return loadDataset(source, split, options);
}

/** The MNIST family: {train,t10k}-{images-idx3,labels-idx1}-ubyte, with or without .gz. */
function loadIdxDataset(
  name: "mnist" | "fashion-mnist",
  dir: string,
  split: DatasetSplit,
): Dataset {
  const prefix = split === "train" ? "train" : "t10k";
  const imagesFile = findIdxFile(dir, `${prefix}-images-idx3-ubyte`);
  const labelsFile = findIdxFile(dir, `${prefix}-labels-idx1-ubyte`);
  const images = parseIdxImages(readDatasetFile(imagesFile), imagesFile);
  const labels = parseIdxLabels(readDatasetFile(labelsFile), labelsFile);
  if (labels.length !== images.count) {
    throw new DatasetError(
      labelsFile,
      "count-mismatch",
      `holds ${labels.length} labels but ${imagesFile} holds ${images.count} images`,
    );
  }
  checkLabelRange(labels, MNIST_CLASSES, labelsFile);
  return {
    name,
    images: images.pixels,
    labels,
    count: images.count,
    channels: 1,
    height: images.height,
    width: images.width,
    classes: MNIST_CLASSES,
  };
}

function loadCifarDataset(
  source: Extract<DatasetSource, { name: "cifar10" | "cifar100" }>,
  split: DatasetSplit,
): Dataset {
  const layout =
    source.name === "cifar10"
      ? ({ kind: "cifar10" } as const)
      : ({ kind: "cifar100", labels: source.labels } as const);
  const parts = cifarFileNames(source.name, split).map((name) => {
    const file = join(source.dir, name);
    return parseCifarRecords(readDatasetFile(file), file, layout);
  });
  const count = parts.reduce((total, part) => total + part.count, 0);
  const images = new Uint8Array(parts.reduce((total, part) => total + part.images.length, 0));
  const labels = new Uint8Array(count);
  let offset = 0;
  let index = 0;
  for (const part of parts) {
    images.set(part.images, offset);
    labels.set(part.labels, index);
    offset += part.images.length;
    index += part.count;
  }
  return {
    name: source.name,
    images,
    labels,
    count,
    channels: CIFAR_CHANNELS,
    height: CIFAR_SIDE,
    width: CIFAR_SIDE,
    classes: cifarClassCount(layout),
  };
}

/** A CIFAR split's files, in the order their records are read. */
export function cifarFileNames(name: "cifar10" | "cifar100", split: DatasetSplit): string[] {
  if (name === "cifar100") return [split === "train" ? "train.bin" : "test.bin"];
  if (split === "test") return ["test_batch.bin"];
  return [1, 2, 3, 4, 5].map((batch) => `data_batch_${batch}.bin`);
}

/** Prefers the distributed .gz file and accepts an already inflated one. */
function findIdxFile(dir: string, baseName: string): string {
  const compressed = join(dir, `${baseName}.gz`);
  const plain = join(dir, baseName);
  if (isFile(compressed)) return compressed;
  if (isFile(plain)) return plain;
  throw new DatasetError(compressed, "missing-file", `file not found (nor ${plain})`);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Larger than any supported dataset's file (CIFAR-100's train.bin is 150 MB). */
const MAX_DATASET_FILE_BYTES = 512 * 2 ** 20;

function readDatasetFile(file: string): Uint8Array {
  let bytes: Buffer;
  try {
    // Regular files only: a FIFO or device in the data directory would never end.
    bytes = readInputFile(file, MAX_DATASET_FILE_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DatasetError(
      file,
      "missing-file",
      code === "ENOENT" ? "file not found" : readFailureReason(error),
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkLabelRange(labels: Uint8Array, classes: number, file: string): void {
  const bad = labels.findIndex((label) => label >= classes);
  if (bad >= 0) {
    throw new DatasetError(
      file,
      "label-out-of-range",
      `label ${bad} is ${labels[bad]}, outside [0, ${classes})`,
    );
  }
}
