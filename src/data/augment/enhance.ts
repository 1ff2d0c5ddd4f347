import type { ImageShape } from "../image-shape.js";

/*
 * PIL's ImageEnhance, which the reference applies (its RandAugment and ColorJitter run on PIL
 * images): each op blends the image with a "degenerate" version of itself,
 * out = degenerate + factor * (image - degenerate), in single precision, truncated and
 * clipped to 0..255 as PIL's ImagingBlend does. Factor 1 leaves the image unchanged.
 */

/** PIL's RGB -> L conversion: ITU-R 601-2 luma in 16-bit fixed point, rounded. */
export function luma(red: number, green: number, blue: number): number {
  return (red * 19595 + green * 38470 + blue * 7471 + 0x8000) >>> 16;
}

// One image's blend table at a time: with a constant degenerate, a value maps through it.
const blendTable = new Uint8Array(256);

/** Brightness: blend with black. */
export function adjustBrightness(image: Uint8Array, factor: number): void {
  blendWithConstant(image, 0, factor);
}

/** Contrast: blend with the mean grey level (rounded) of the whole image. */
export function adjustContrast(image: Uint8Array, shape: ImageShape, factor: number): void {
  const planeSize = shape.height * shape.width;
  let sum = 0;
  if (shape.channels === 3) {
    for (let i = 0; i < planeSize; i++) {
      sum += luma(
        image[i] as number,
        image[planeSize + i] as number,
        image[2 * planeSize + i] as number,
      );
    }
  } else {
    for (let i = 0; i < planeSize; i++) sum += image[i] as number;
  }
  blendWithConstant(image, Math.trunc(sum / planeSize + 0.5), factor);
}

/** Saturation (PIL's "Color"): blend each pixel with its grey level; no-op on 1 channel. */
export function adjustSaturation(image: Uint8Array, shape: ImageShape, factor: number): void {
  if (shape.channels !== 3) return;
  const planeSize = shape.height * shape.width;
  const alpha = Math.fround(factor);
  for (let i = 0; i < planeSize; i++) {
    const red = image[i] as number;
    const green = image[planeSize + i] as number;
    const blue = image[2 * planeSize + i] as number;
    const grey = luma(red, green, blue);
    image[i] = blend(grey, red, alpha);
    image[planeSize + i] = blend(grey, green, alpha);
    image[2 * planeSize + i] = blend(grey, blue, alpha);
  }
}

/**
 * Sharpness: blend with PIL's SMOOTH filter (3x3 kernel, 5 in the centre and 1 around, /13,
 * rounded; border pixels kept). `scratch` receives the smoothed image.
 */
export function adjustSharpness(
  image: Uint8Array,
  scratch: Uint8Array,
  shape: ImageShape,
  factor: number,
): void {
  const { channels, height, width } = shape;
  scratch.set(image.subarray(0, channels * height * width));
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let y = 1; y < height - 1; y++) {
      for (let x = 1; x < width - 1; x++) {
        const at = plane + y * width + x;
        const around =
          (image[at - width - 1] as number) +
          (image[at - width] as number) +
          (image[at - width + 1] as number) +
          (image[at - 1] as number) +
          (image[at + 1] as number) +
          (image[at + width - 1] as number) +
          (image[at + width] as number) +
          (image[at + width + 1] as number);
        // The exact sum / 13 is never within 1/26 of a half, so rounding is unambiguous.
        scratch[at] = Math.round((around + 5 * (image[at] as number)) / 13);
      }
    }
  }
  const alpha = Math.fround(factor);
  for (let i = 0; i < channels * height * width; i++) {
    image[i] = blend(scratch[i] as number, image[i] as number, alpha);
  }
}

function blendWithConstant(image: Uint8Array, degenerate: number, factor: number): void {
  const alpha = Math.fround(factor);
  for (let value = 0; value < 256; value++) blendTable[value] = blend(degenerate, value, alpha);
  for (let i = 0; i < image.length; i++) image[i] = blendTable[image[i] as number] as number;
}

/** PIL's ImagingBlend for one value: float arithmetic, clipped, truncated. */
function blend(degenerate: number, value: number, alpha: number): number {
  const mixed = Math.fround(degenerate + Math.fround(alpha * (value - degenerate)));
  return mixed <= 0 ? 0 : mixed >= 255 ? 255 : Math.trunc(mixed);
}
