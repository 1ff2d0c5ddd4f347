import { type ImageShape, valuesPerImage } from "./image-shape.js";

export type DatasetName =
  | "mnist"
  | "fashion-mnist"
  | "cifar10"
  | "cifar100"
  | "tiny-imagenet"
  | "folder";

/**
 * A labelled image set held in memory as raw bytes.
 * Labels are Uint8Array because every supported dataset has at most 256 classes (an image
 * folder is refused beyond); batches turn them into int64 for the loss (see batch-loader.ts).
 */
export interface Dataset extends ImageShape {
  readonly name: DatasetName;
  /** count x channels x height x width pixel values 0..255, channel-major within an image. */
  readonly images: Uint8Array;
  /** One class index in [0, classes) per image. */
  readonly labels: Uint8Array;
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
  const labels = new Uint8Array(new SharedArrayBuffer(indices.length));
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
