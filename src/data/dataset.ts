import { type ImageShape, valuesPerImage } from "./image-shape.js";

export type DatasetName =
  | "mnist"
  | "fashion-mnist"
  | "cifar10"
  | "cifar100"
  | "tiny-imagenet"
  | "folder";

/** Most classes a dataset may have: what 16-bit labels can tell apart. */
export const MAX_CLASSES = 65_536;

/**
 * One class index per image: bytes when every class fits one (IDX and CIFAR files, folders
 * of up to 256 classes, as they always were), else 16 bits (a folder of more, ImageNet-1k).
 * Batches turn them into int64 for the loss (see batch-loader.ts).
 */
export type Labels = Uint8Array | Uint16Array;

/**
 * Zeroed labels for `length` images of `classes` classes, the narrowest type that holds them;
 * in a SharedArrayBuffer with `shared`, for data worker threads to read in place.
 */
export function newLabels(length: number, classes: number, shared = false): Labels {
  if (classes > MAX_CLASSES) {
    throw new RangeError(`${classes} classes: pemn labels at most ${MAX_CLASSES} (16-bit labels)`);
  }
  const wide = classes > 256;
  const bytes = length * (wide ? 2 : 1);
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return wide ? new Uint16Array(buffer) : new Uint8Array(buffer);
}

/** `values` (class indices) as labels of `classes` classes (newLabels). */
export function labelsFrom(values: readonly number[], classes: number): Labels {
  const labels = newLabels(values.length, classes);
  labels.set(values);
  return labels;
}

/** A labelled image set held in memory as raw bytes. */
export interface Dataset extends ImageShape {
  readonly name: DatasetName;
  /** count x channels x height x width pixel values 0..255, channel-major within an image. */
  readonly images: Uint8Array;
  /** One class index in [0, classes) per image. */
  readonly labels: Labels;
  readonly count: number;
  readonly classes: number;
  /** The classes' names in label order, where the data names them (folders, Tiny-ImageNet). */
  readonly classNames?: readonly string[];
}

/**
 * A new dataset holding copies of the given images, in the given order. They are made in
 * shared memory, so data worker threads (batch-workers.ts) read them in place.
 */
export function subsetDataset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const size = valuesPerImage(dataset);
  const images = new Uint8Array(new SharedArrayBuffer(indices.length * size));
  const labels = newLabels(indices.length, dataset.classes, true);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (!Number.isInteger(index) || index < 0 || index >= dataset.count) {
      throw new RangeError(`subsetDataset: index ${index} outside [0, ${dataset.count})`);
    }
    images.set(dataset.images.subarray(index * size, (index + 1) * size), i * size);
    labels[i] = dataset.labels[index] as number;
  }
  return { ...dataset, images, labels, count: indices.length };
}
