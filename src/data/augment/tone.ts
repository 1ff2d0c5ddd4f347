import type { ImageShape } from "../image-shape.js";

/*
 * Per-channel intensity remappings, as PIL's ImageOps computes them (the reference runs
 * RandAugment on PIL images). All work in place on a uint8 CHW image.
 */

// Shared scratch: one image's tables at a time, so no allocation per image.
const histogram = new Int32Array(256);
const lookup = new Uint8Array(256);

/** Keeps the top `bits` bits of every value (1..8). */
export function posterize(image: Uint8Array, bits: number): void {
  const mask = (0xff << (8 - bits)) & 0xff;
  for (let i = 0; i < image.length; i++) image[i] = (image[i] as number) & mask;
}

/** Inverts every value at or above `threshold`. */
export function solarize(image: Uint8Array, threshold: number): void {
  for (let i = 0; i < image.length; i++) {
    const value = image[i] as number;
    if (value >= threshold) image[i] = 255 - value;
  }
}

/** Stretches each channel linearly so its darkest value becomes 0 and its brightest 255. */
export function autocontrast(image: Uint8Array, shape: ImageShape): void {
  forEachChannel(image, shape, (plane) => {
    let low = 255;
    let high = 0;
    for (const value of plane) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
    if (high <= low) return;
    const scale = 255 / (high - low);
    const offset = -low * scale;
    for (let value = 0; value < 256; value++) {
      const mapped = Math.trunc(value * scale + offset);
      lookup[value] = Math.min(255, Math.max(0, mapped));
    }
    remap(plane);
  });
}

/** Histogram equalisation per channel (PIL's ImageOps.equalize). */
export function equalize(image: Uint8Array, shape: ImageShape): void {
  forEachChannel(image, shape, (plane) => {
    histogram.fill(0);
    for (const value of plane) histogram[value] = (histogram[value] as number) + 1;
    let last = 255;
    while (histogram[last] === 0) last--;
    const step = Math.floor((plane.length - (histogram[last] as number)) / 255);
    if (step === 0) return;
    let cumulative = Math.floor(step / 2);
    for (let value = 0; value < 256; value++) {
      lookup[value] = Math.min(255, Math.floor(cumulative / step));
      cumulative += histogram[value] as number;
    }
    remap(plane);
  });
}

function forEachChannel(
  image: Uint8Array,
  shape: ImageShape,
  visit: (plane: Uint8Array) => void,
): void {
  const planeSize = shape.height * shape.width;
  for (let c = 0; c < shape.channels; c++) {
    visit(image.subarray(c * planeSize, (c + 1) * planeSize));
  }
}

function remap(plane: Uint8Array): void {
  for (let i = 0; i < plane.length; i++) plane[i] = lookup[plane[i] as number] as number;
}
