import type { ImageShape } from "../image-shape.js";

/**
 * Maps an output position to the input position it samples, in pixel-corner coordinates
 * (pixel (x, y) covers [x, x+1) x [y, y+1)): in = (a x + b y + c, d x + e y + f).
 * The same convention as PIL's Image.transform(AFFINE) data.
 */
export type InverseAffine = readonly [number, number, number, number, number, number];

/**
 * Resamples `source` through `inverse` into `target` with nearest-neighbour sampling at
 * pixel centres; positions outside the image take `fill`. Positions are stepped in 16.16 fixed
 * point exactly as PIL's affine_fixed (its NEAREST path), so results match PIL pixel for pixel.
 */
export function affineNearest(
  source: Uint8Array,
  target: Uint8Array,
  shape: ImageShape,
  inverse: InverseAffine,
  fill: number,
): void {
  const { channels, height, width } = shape;
  const planeSize = height * width;
  const [a, b, c, d, e, f] = inverse;
  const stepX = toFixed(a);
  const stepY = toFixed(d);
  const rowStepX = toFixed(b);
  const rowStepY = toFixed(e);
  // Input position of the first pixel centre of row 0.
  let rowX = toFixed(c + b * 0.5 + a * 0.5);
  let rowY = toFixed(f + e * 0.5 + d * 0.5);
  for (let y = 0; y < height; y++, rowX += rowStepX, rowY += rowStepY) {
    let positionX = rowX;
    let positionY = rowY;
    for (let x = 0; x < width; x++, positionX += stepX, positionY += stepY) {
      const inX = positionX >> 16;
      const inY = positionY >> 16;
      const out = y * width + x;
      if (inX >= 0 && inX < width && inY >= 0 && inY < height) {
        const from = inY * width + inX;
        for (let ch = 0; ch < channels; ch++) {
          target[ch * planeSize + out] = source[ch * planeSize + from] as number;
        }
      } else {
        for (let ch = 0; ch < channels; ch++) target[ch * planeSize + out] = fill;
      }
    }
  }
}

/** 16.16 fixed point, rounded (PIL's FIX). */
function toFixed(value: number): number {
  return Math.floor(value * 65536 + 0.5);
}

/**
 * Counter-clockwise rotation by `degrees` about the image centre (PIL's Image.rotate, whose
 * coefficients are rounded to 15 decimals so quarter turns are exact).
 */
export function rotation(degrees: number, shape: ImageShape): InverseAffine {
  const angle = (-degrees * Math.PI) / 180;
  const cos = Number(Math.cos(angle).toFixed(15));
  const sin = Number(Math.sin(angle).toFixed(15));
  const centerX = shape.width / 2;
  const centerY = shape.height / 2;
  return [
    cos,
    sin,
    centerX - cos * centerX - sin * centerY,
    -sin,
    cos,
    centerY + sin * centerX - cos * centerY,
  ];
}

/** Horizontal shear about the top edge: row y moves by -shear * y (torchvision's ShearX). */
export function shearX(shear: number): InverseAffine {
  return [1, shear, 0, 0, 1, 0];
}

/** Vertical shear about the left edge: column x moves by -shear * x (torchvision's ShearY). */
export function shearY(shear: number): InverseAffine {
  return [1, 0, 0, shear, 1, 0];
}

/** Moves the content by (dx, dy) pixels: right and down for positive values. */
export function translation(dx: number, dy: number): InverseAffine {
  return [1, 0, -dx, 0, 1, -dy];
}
