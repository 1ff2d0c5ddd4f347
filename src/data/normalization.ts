import type { DatasetName } from "./dataset.js";
import { type ImageShape, valuesPerImage } from "./image-shape.js";

/** Per-channel mean and standard deviation of pixel values scaled to [0, 1]. */
export interface ChannelStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * The constants the reference training scripts normalise with; Tiny-ImageNet's are its
 * training set's, as commonly quoted; an image folder ("folder") takes ImageNet's.
 */
export const DATASET_STATS: Readonly<Record<DatasetName, ChannelStats>> = {
  mnist: { mean: [0.1307], std: [0.3081] },
  "fashion-mnist": { mean: [0.286], std: [0.353] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  cifar100: { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] },
  "tiny-imagenet": { mean: [0.4802, 0.4481, 0.3975], std: [0.277, 0.2691, 0.2821] },
  folder: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
};

/**
 * A dataset's constants for its images' channels: an RGB dataset decoded to one channel
 * (an image folder or Tiny-ImageNet with `color: gray`) takes the mean of its three.
 */
export function datasetStats(name: DatasetName, channels: number): ChannelStats {
  const stats = DATASET_STATS[name];
  if (channels !== 1 || stats.mean.length === 1) return stats;
  const average = (values: readonly number[]) =>
    Number((values.reduce((sum, value) => sum + value, 0) / values.length).toFixed(4));
  return { mean: [average(stats.mean)], std: [average(stats.std)] };
}

/**
 * Maps uint8 CHW images to (value / 255 - mean) / std as Float32.
 * Every result is looked up in a 256-entry table per channel, computed with float32 rounding
 * at each step like torchvision's ToTensor + Normalize, so results match it bit for bit.
 */
export class Normalizer {
  private readonly table: Float32Array;
  private readonly planeSize: number;
  readonly imageSize: number;

  constructor(
    stats: ChannelStats,
    readonly shape: ImageShape,
  ) {
    const { channels } = shape;
    if (stats.mean.length !== channels || stats.std.length !== channels) {
      throw new RangeError(
        `normalisation stats have ${stats.mean.length} means and ${stats.std.length} stds, images have ${channels} channels`,
      );
    }
    this.table = new Float32Array(channels * 256);
    for (let c = 0; c < channels; c++) {
      const mean = Math.fround(stats.mean[c] as number);
      const std = Math.fround(stats.std[c] as number);
      if (!(std > 0)) throw new RangeError(`normalisation std[${c}] must be positive, got ${std}`);
      for (let value = 0; value < 256; value++) {
        this.table[c * 256 + value] = Math.fround(Math.fround(value / 255) - mean) / std;
      }
    }
    this.planeSize = shape.height * shape.width;
    this.imageSize = valuesPerImage(shape);
  }

  /** Normalises the image starting at `sourceOffset` into `out` starting at `outOffset`. */
  normalizeImage(
    source: Uint8Array,
    sourceOffset: number,
    out: Float32Array,
    outOffset: number,
  ): void {
    const { table, planeSize } = this;
    for (let c = 0; c < this.shape.channels; c++) {
      const base = c * 256;
      const start = c * planeSize;
      for (let i = start; i < start + planeSize; i++) {
        out[outOffset + i] = table[base + (source[sourceOffset + i] as number)] as number;
      }
    }
  }

  /** Normalises a whole batch of images laid end to end. */
  normalizeImages(images: Uint8Array): Float32Array {
    if (images.length % this.imageSize !== 0) {
      throw new RangeError(
        `normalizeImages: ${images.length} values is not a whole number of ${this.imageSize}-value images`,
      );
    }
    const out = new Float32Array(images.length);
    for (let offset = 0; offset < images.length; offset += this.imageSize) {
      this.normalizeImage(images, offset, out, offset);
    }
    return out;
  }
}
