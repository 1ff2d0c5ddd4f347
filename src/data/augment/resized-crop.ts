import type { ImageShape } from "../image-shape.js";
import { type RandomSource, randomBelow, randomBetween } from "../random-source.js";
import { roundHalfEven } from "./rounding.js";
import type { PixelStep } from "./step.js";

/** Horizontal-pass rows, grown to the largest image seen: no allocation per image. */
let passRows = new Uint8Array(0);

/** PIL's fixed-point resampling: weights in 22 fractional bits, 0.5 added to round. */
const PRECISION_BITS = 22;
const ONE_HALF = 1 << (PRECISION_BITS - 1);

/**
 * Resizes the `box` region of `source` (no larger than the image) to the full H x W of `target`
 * exactly as PIL's bilinear resize does: half-pixel centres, taps past the edge dropped and the
 * rest renormalised, fixed-point weights, a horizontal pass rounded to uint8, then a vertical one.
 */
export function resizeCropBilinear(
  source: Uint8Array,
  target: Uint8Array,
  shape: ImageShape,
  box: CropBox,
): void {
  const { channels, height, width } = shape;
  if (passRows.length < channels * box.height * width) {
    passRows = new Uint8Array(channels * height * width);
  }
  const rows = passRows;
  const columns = bilinearTaps(box.width, width);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < box.height; y++) {
      const rowIn = (c * height + box.top + y) * width + box.left;
      const rowOut = (c * box.height + y) * width;
      for (let x = 0; x < width; x++) {
        const sum =
          ONE_HALF +
          (source[rowIn + (columns.first[x] as number)] as number) *
            (columns.firstWeight[x] as number) +
          (source[rowIn + (columns.second[x] as number)] as number) *
            (columns.secondWeight[x] as number);
        rows[rowOut + x] = Math.min(255, sum >> PRECISION_BITS);
      }
    }
  }
  const lines = bilinearTaps(box.height, height);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const above = (c * box.height + (lines.first[y] as number)) * width;
      const below = (c * box.height + (lines.second[y] as number)) * width;
      const aboveWeight = lines.firstWeight[y] as number;
      const belowWeight = lines.secondWeight[y] as number;
      const rowOut = (c * height + y) * width;
      for (let x = 0; x < width; x++) {
        const sum =
          ONE_HALF +
          (rows[above + x] as number) * aboveWeight +
          (rows[below + x] as number) * belowWeight;
        target[rowOut + x] = Math.min(255, sum >> PRECISION_BITS);
      }
    }
  }
}

/** The (at most two, when not shrinking) input pixels behind each output pixel, with weights. */
interface BilinearTaps {
  readonly first: Int32Array;
  readonly second: Int32Array;
  readonly firstWeight: Int32Array;
  readonly secondWeight: Int32Array;
}

// Crops take few distinct sizes, so each size pair's taps are computed once.
const tapsBySizes = new Map<number, BilinearTaps>();

/** PIL's precompute_coeffs + normalize_coeffs_8bpc for the bilinear filter, input <= output. */
function bilinearTaps(inputSize: number, outputSize: number): BilinearTaps {
  const key = inputSize * 65536 + outputSize;
  const known = tapsBySizes.get(key);
  if (known !== undefined) return known;
  const taps = {
    first: new Int32Array(outputSize),
    second: new Int32Array(outputSize),
    firstWeight: new Int32Array(outputSize),
    secondWeight: new Int32Array(outputSize),
  };
  const scale = inputSize / outputSize;
  for (let i = 0; i < outputSize; i++) {
    const center = (i + 0.5) * scale;
    const start = Math.max(0, Math.trunc(center - 0.5));
    const end = Math.min(inputSize, Math.trunc(center + 1.5));
    const triangle = (pixel: number) => Math.max(0, 1 - Math.abs(pixel - center + 0.5));
    const near = triangle(start);
    const far = end - start > 1 ? triangle(start + 1) : 0;
    const total = near + far;
    taps.first[i] = start;
    taps.second[i] = end - start > 1 ? start + 1 : start;
    taps.firstWeight[i] = Math.trunc(0.5 + (near / total) * 2 ** PRECISION_BITS);
    taps.secondWeight[i] = Math.trunc(0.5 + (far / total) * 2 ** PRECISION_BITS);
  }
  tapsBySizes.set(key, taps);
  return taps;
}

/**
 * torchvision's RandomResizedCrop box with the square aspect ratio the reference uses:
 * area uniform in scale x image area, up to 10 tries to fit, then the central square.
 */
export function drawSquareCropBox(
  random: RandomSource,
  shape: ImageShape,
  scale: readonly [number, number],
): CropBox {
  const { height, width } = shape;
  for (let attempt = 0; attempt < 10; attempt++) {
    const side = roundHalfEven(
      Math.sqrt(height * width * randomBetween(random, scale[0], scale[1])),
    );
    if (side > 0 && side <= width && side <= height) {
      const top = randomBelow(random, height - side + 1);
      const left = randomBelow(random, width - side + 1);
      return { top, left, height: side, width: side };
    }
  }
  const side = Math.min(height, width);
  return {
    top: Math.floor((height - side) / 2),
    left: Math.floor((width - side) / 2),
    height: side,
    width: side,
  };
}

export function randomResizedCropStep(
  scale: readonly [number, number],
  shape: ImageShape,
): PixelStep {
  return {
    apply(image: Uint8Array, scratch: Uint8Array, random: RandomSource): Uint8Array {
      resizeCropBilinear(image, scratch, shape, drawSquareCropBox(random, shape, scale));
      return scratch;
    },
    skip(random: RandomSource): void {
      drawSquareCropBox(random, shape, scale);
    },
  };
}

/** A rectangle of an image, in pixels. */
export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}
