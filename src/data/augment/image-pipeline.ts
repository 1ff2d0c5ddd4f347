import { ConfigError } from "../../config/parse-config.js";
import { type ImageShape, valuesPerImage } from "../image-shape.js";
import { type ChannelStats, Normalizer } from "../normalization.js";
import type { RandomSource } from "../random-source.js";
import type { AugmentationConfig, AugmentationStep } from "./augmentation-config.js";
import { colorJitterStep } from "./color-jitter.js";
import { horizontalFlipStep } from "./flip.js";
import { randAugmentStep } from "./rand-augment.js";
import { randomCropStep } from "./random-crop.js";
import { randomErasingStep } from "./random-erasing.js";
import { randomResizedCropStep } from "./resized-crop.js";
import type { PixelStep, TensorStep } from "./step.js";

/**
 * Turns uint8 images into normalised float images: pixel steps, then normalisation, then
 * tensor steps. With no steps it only normalises (evaluation). Holds two scratch images, so
 * one pipeline serves one loop at a time.
 */
export class ImagePipeline {
  private readonly pixelSteps: PixelStep[] = [];
  private readonly tensorSteps: TensorStep[] = [];
  private readonly normalizer: Normalizer;
  private readonly first: Uint8Array;
  private readonly second: Uint8Array;
  readonly imageSize: number;

  constructor(
    steps: AugmentationConfig,
    readonly shape: ImageShape,
    stats: ChannelStats,
  ) {
    for (const step of steps) {
      const built = buildStep(step, shape);
      if ("pixel" in built) this.pixelSteps.push(built.pixel);
      else this.tensorSteps.push(built.tensor);
    }
    this.normalizer = new Normalizer(stats, shape);
    this.imageSize = valuesPerImage(shape);
    this.first = new Uint8Array(this.imageSize);
    this.second = new Uint8Array(this.imageSize);
  }

  /** Transforms the image at `sourceOffset` of `source` into `out` at `outOffset`. */
  transformImage(
    source: Uint8Array,
    sourceOffset: number,
    out: Float32Array,
    outOffset: number,
    random: RandomSource,
  ): void {
    let image = source;
    let imageOffset = sourceOffset;
    if (this.pixelSteps.length > 0) {
      // Steps may write in place, so they work on a copy, never on the dataset.
      this.first.set(source.subarray(sourceOffset, sourceOffset + this.imageSize));
      let current = this.first;
      let spare = this.second;
      for (const step of this.pixelSteps) {
        const result = step.apply(current, spare, random);
        if (result !== current) {
          spare = current;
          current = result;
        }
      }
      image = current;
      imageOffset = 0;
    }
    this.normalizer.normalizeImage(image, imageOffset, out, outOffset);
    for (const step of this.tensorSteps) step.apply(out, outOffset, random);
  }

  /**
   * Draws what transformImage draws for one image, and transforms nothing: after it, `random`
   * stands where the next image's draws start.
   */
  skipImage(random: RandomSource): void {
    for (const step of this.pixelSteps) step.skip(random);
    for (const step of this.tensorSteps) step.skip(random);
  }

  /** Transforms `images` (whole images laid end to end) into a new float array. */
  transformImages(images: Uint8Array, random: RandomSource): Float32Array {
    if (images.length % this.imageSize !== 0) {
      throw new RangeError(
        `transformImages: ${images.length} values is not a whole number of ${this.imageSize}-value images`,
      );
    }
    const out = new Float32Array(images.length);
    for (let offset = 0; offset < images.length; offset += this.imageSize) {
      this.transformImage(images, offset, out, offset, random);
    }
    return out;
  }
}

function buildStep(
  step: AugmentationStep,
  shape: ImageShape,
): { pixel: PixelStep } | { tensor: TensorStep } {
  switch (step.kind) {
    case "randomCrop":
      return { pixel: randomCropStep(step.padding, step.fill, shape) };
    case "randomResizedCrop":
      return { pixel: randomResizedCropStep(step.scale, shape) };
    case "horizontalFlip":
      return { pixel: horizontalFlipStep(step.p, shape) };
    case "randAugment":
      return { pixel: randAugmentStep(step, shape) };
    case "colorJitter":
      if (step.saturation > 0 && shape.channels !== 3) {
        throw new ConfigError(
          `colorJitter.saturation needs 3-channel images, these have ${shape.channels}`,
        );
      }
      return { pixel: colorJitterStep(step, shape) };
    case "randomErasing":
      return { tensor: randomErasingStep(step, shape) };
  }
}
