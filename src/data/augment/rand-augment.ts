import type { ImageShape } from "../image-shape.js";
import { type RandomSource, randomBelow } from "../random-source.js";
import {
  affineNearest,
  type InverseAffine,
  rotation,
  shearX,
  shearY,
  translation,
} from "./affine.js";
import { adjustBrightness, adjustContrast, adjustSaturation, adjustSharpness } from "./enhance.js";
import { roundHalfEven } from "./rounding.js";
import type { PixelStep } from "./step.js";
import { autocontrast, equalize, posterize, solarize } from "./tone.js";

/** torchvision's RandAugment operations, in its order (the index drawn picks from this list). */
export const RAND_AUGMENT_OPS = [
  "identity",
  "shearX",
  "shearY",
  "translateX",
  "translateY",
  "rotate",
  "brightness",
  "color",
  "contrast",
  "sharpness",
  "posterize",
  "solarize",
  "autocontrast",
  "equalize",
] as const;

export type RandAugmentOp = (typeof RAND_AUGMENT_OPS)[number];

/** Ops whose strength takes a random sign. */
const SIGNED_OPS: ReadonlySet<RandAugmentOp> = new Set([
  "shearX",
  "shearY",
  "translateX",
  "translateY",
  "rotate",
  "brightness",
  "color",
  "contrast",
  "sharpness",
]);

/**
 * An op's strength at `magnitude` on a scale of `bins` levels (0 .. bins-1), before the
 * random sign: torchvision's tables, linear from 0 at level 0 to the maximum at the top level.
 */
export function randAugmentStrength(
  op: RandAugmentOp,
  magnitude: number,
  bins: number,
  shape: ImageShape,
): number {
  // max * magnitude / (bins - 1) in this order is exact whenever the table entry is.
  const linear = (max: number): number => (max * magnitude) / (bins - 1);
  switch (op) {
    case "shearX":
    case "shearY":
      return linear(0.3);
    case "translateX":
      return linear((150 / 331) * shape.width);
    case "translateY":
      return linear((150 / 331) * shape.height);
    case "rotate":
      return linear(30);
    case "brightness":
    case "color":
    case "contrast":
    case "sharpness":
      return linear(0.9);
    case "posterize":
      return 8 - roundHalfEven(linear(4));
    case "solarize":
      return 255 - linear(255);
    case "identity":
    case "autocontrast":
    case "equalize":
      return 0;
  }
}

/** Applies one op with its (signed) strength; returns the buffer holding the result. */
export function applyRandAugmentOp(
  op: RandAugmentOp,
  strength: number,
  image: Uint8Array,
  scratch: Uint8Array,
  shape: ImageShape,
  fill: number,
): Uint8Array {
  const geometric = (inverse: InverseAffine): Uint8Array => {
    affineNearest(image, scratch, shape, inverse, fill);
    return scratch;
  };
  switch (op) {
    case "identity":
      return image;
    case "shearX":
      return geometric(shearX(strength));
    case "shearY":
      return geometric(shearY(strength));
    case "translateX":
      // torchvision truncates the offset to whole pixels.
      return geometric(translation(Math.trunc(strength), 0));
    case "translateY":
      return geometric(translation(0, Math.trunc(strength)));
    case "rotate":
      return geometric(rotation(strength, shape));
    case "brightness":
      adjustBrightness(image, 1 + strength);
      return image;
    case "color":
      adjustSaturation(image, shape, 1 + strength);
      return image;
    case "contrast":
      adjustContrast(image, shape, 1 + strength);
      return image;
    case "sharpness":
      adjustSharpness(image, scratch, shape, 1 + strength);
      return image;
    case "posterize":
      posterize(image, strength);
      return image;
    case "solarize":
      solarize(image, strength);
      return image;
    case "autocontrast":
      autocontrast(image, shape);
      return image;
    case "equalize":
      equalize(image, shape);
      return image;
  }
}

export interface RandAugmentSettings {
  readonly numOps: number;
  readonly magnitude: number;
  readonly magnitudeBins: number;
  readonly fill: number;
}

/** torchvision's RandAugment: `numOps` ops drawn uniformly with replacement, each at `magnitude`. */
export function randAugmentStep(settings: RandAugmentSettings, shape: ImageShape): PixelStep {
  const strengths = RAND_AUGMENT_OPS.map((op) =>
    randAugmentStrength(op, settings.magnitude, settings.magnitudeBins, shape),
  );
  // One op and its signed strength.
  const draw = (random: RandomSource): { op: RandAugmentOp; strength: number } => {
    const index = randomBelow(random, RAND_AUGMENT_OPS.length);
    const op = RAND_AUGMENT_OPS[index] as RandAugmentOp;
    const strength = strengths[index] as number;
    return {
      op,
      strength: SIGNED_OPS.has(op) && randomBelow(random, 2) === 1 ? -strength : strength,
    };
  };
  return {
    skip(random: RandomSource): void {
      for (let n = 0; n < settings.numOps; n++) draw(random);
    },
    apply(image: Uint8Array, scratch: Uint8Array, random: RandomSource): Uint8Array {
      let current = image;
      let spare = scratch;
      for (let n = 0; n < settings.numOps; n++) {
        const { op, strength } = draw(random);
        const result = applyRandAugmentOp(op, strength, current, spare, shape, settings.fill);
        if (result !== current) {
          spare = current;
          current = result;
        }
      }
      return current;
    },
  };
}
