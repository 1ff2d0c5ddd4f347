import type { ImageShape } from "../image-shape.js";
import { type RandomSource, randomBelow, randomBetween, randomNormal } from "../random-source.js";
import type { CropBox } from "./resized-crop.js";
import { roundHalfEven } from "./rounding.js";
import type { TensorStep } from "./step.js";

export interface RandomErasingSettings {
  /** Chance that an image is erased at all. */
  readonly p: number;
  /** Erased area as a fraction of the image area, [low, high]. */
  readonly scale: readonly [number, number];
  /** Aspect ratio (height / width) of the erased rectangle, drawn log-uniformly. */
  readonly ratio: readonly [number, number];
  /** "zero" writes 0 (the dataset mean after normalisation); "random" draws N(0, 1) per value. */
  readonly fill: "zero" | "random";
}

/**
 * torchvision's RandomErasing rectangle: up to 10 tries for one strictly smaller than the image,
 * else none (the image is left alone).
 */
export function drawErasingBox(
  random: RandomSource,
  shape: ImageShape,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): CropBox | undefined {
  const { height, width } = shape;
  const logLow = Math.log(ratio[0]);
  const logHigh = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = height * width * randomBetween(random, scale[0], scale[1]);
    const aspect = Math.exp(randomBetween(random, logLow, logHigh));
    const boxHeight = roundHalfEven(Math.sqrt(area * aspect));
    const boxWidth = roundHalfEven(Math.sqrt(area / aspect));
    if (boxHeight < height && boxWidth < width) {
      return {
        top: randomBelow(random, height - boxHeight + 1),
        left: randomBelow(random, width - boxWidth + 1),
        height: boxHeight,
        width: boxWidth,
      };
    }
  }
  return undefined;
}

/** Runs on the normalised image, after Normalize, as in the reference's transform list. */
export function randomErasingStep(settings: RandomErasingSettings, shape: ImageShape): TensorStep {
  const { channels, height, width } = shape;
  // The rectangle to erase, if any; a "random" fill then draws one normal value per erased value.
  const draw = (random: RandomSource): CropBox | undefined =>
    random.nextFloat() < settings.p
      ? drawErasingBox(random, shape, settings.scale, settings.ratio)
      : undefined;
  return {
    skip(random: RandomSource): void {
      const box = draw(random);
      if (box === undefined || settings.fill === "zero") return;
      for (let n = channels * box.height * box.width; n > 0; n--) randomNormal(random);
    },
    apply(values: Float32Array, offset: number, random: RandomSource): void {
      const box = draw(random);
      if (box === undefined) return;
      for (let c = 0; c < channels; c++) {
        for (let y = box.top; y < box.top + box.height; y++) {
          const row = offset + (c * height + y) * width;
          for (let x = box.left; x < box.left + box.width; x++) {
            values[row + x] = settings.fill === "zero" ? 0 : randomNormal(random);
          }
        }
      }
    },
  };
}
