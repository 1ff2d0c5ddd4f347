import type { ImageShape } from "../image-shape.js";
import { type RandomSource, randomBelow } from "../random-source.js";
import type { PixelStep } from "./step.js";

/**
 * Writes into `target` the H x W window whose top-left corner is at (top, left) of the image
 * padded by `padding` pixels of `fill` on every side; so (padding, padding) is the identity.
 */
export function cropPadded(
  source: Uint8Array,
  target: Uint8Array,
  shape: ImageShape,
  padding: number,
  top: number,
  left: number,
  fill: number,
): void {
  const { channels, height, width } = shape;
  const dy = top - padding;
  const dx = left - padding;
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let y = 0; y < height; y++) {
      const sourceY = y + dy;
      const rowOut = plane + y * width;
      if (sourceY < 0 || sourceY >= height) {
        target.fill(fill, rowOut, rowOut + width);
        continue;
      }
      const rowIn = plane + sourceY * width;
      for (let x = 0; x < width; x++) {
        const sourceX = x + dx;
        target[rowOut + x] =
          sourceX >= 0 && sourceX < width ? (source[rowIn + sourceX] as number) : fill;
      }
    }
  }
}

/** torchvision's RandomCrop(size, padding): a uniform window of the padded image. */
export function randomCropStep(padding: number, fill: number, shape: ImageShape): PixelStep {
  const draw = (random: RandomSource): { top: number; left: number } => {
    const top = randomBelow(random, 2 * padding + 1);
    const left = randomBelow(random, 2 * padding + 1);
    return { top, left };
  };
  return {
    apply(image: Uint8Array, scratch: Uint8Array, random: RandomSource): Uint8Array {
      const { top, left } = draw(random);
      cropPadded(image, scratch, shape, padding, top, left, fill);
      return scratch;
    },
    skip: draw,
  };
}
