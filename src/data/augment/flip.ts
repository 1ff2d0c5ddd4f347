import type { ImageShape } from "../image-shape.js";
import type { RandomSource } from "../random-source.js";
import type { PixelStep } from "./step.js";

/** Mirrors every row of a CHW image, in place. */
export function flipHorizontalInPlace(image: Uint8Array, shape: ImageShape): void {
  const { width } = shape;
  const rows = shape.channels * shape.height;
  for (let row = 0; row < rows; row++) {
    let left = row * width;
    let right = left + width - 1;
    while (left < right) {
      const held = image[left] as number;
      image[left++] = image[right] as number;
      image[right--] = held;
    }
  }
}

/** Flips with probability `p` (torchvision's RandomHorizontalFlip). */
export function horizontalFlipStep(p: number, shape: ImageShape): PixelStep {
  const draw = (random: RandomSource): boolean => random.nextFloat() < p;
  return {
    apply(image: Uint8Array, _scratch: Uint8Array, random: RandomSource): Uint8Array {
      if (draw(random)) flipHorizontalInPlace(image, shape);
      return image;
    },
    skip: draw,
  };
}
