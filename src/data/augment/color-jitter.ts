import type { ImageShape } from "../image-shape.js";
import { type RandomSource, randomBetween, shuffleInPlace } from "../random-source.js";
import { adjustBrightness, adjustContrast, adjustSaturation } from "./enhance.js";
import type { PixelStep } from "./step.js";

/** Jitter strengths: each factor is drawn from [max(0, 1 - s), 1 + s]; 0 turns it off. */
export interface ColorJitterSettings {
  readonly brightness: number;
  readonly contrast: number;
  readonly saturation: number;
}

type Adjustment = (image: Uint8Array, factor: number) => void;

/**
 * torchvision's ColorJitter without hue: one factor per enabled adjustment, applied in a
 * fresh random order for every image.
 */
export function colorJitterStep(settings: ColorJitterSettings, shape: ImageShape): PixelStep {
  const enabled: { strength: number; adjust: Adjustment }[] = [];
  if (settings.brightness > 0) {
    enabled.push({ strength: settings.brightness, adjust: adjustBrightness });
  }
  if (settings.contrast > 0) {
    enabled.push({
      strength: settings.contrast,
      adjust: (image, factor) => adjustContrast(image, shape, factor),
    });
  }
  if (settings.saturation > 0) {
    enabled.push({
      strength: settings.saturation,
      adjust: (image, factor) => adjustSaturation(image, shape, factor),
    });
  }
  const order = new Int32Array(enabled.length);
  const factors = new Float64Array(enabled.length);
  // Fills `order` and `factors` for one image.
  const draw = (random: RandomSource): void => {
    // Restart from the same order so an image's result depends only on its own draws.
    for (let i = 0; i < order.length; i++) order[i] = i;
    shuffleInPlace(order, random);
    enabled.forEach(({ strength }, index) => {
      factors[index] = randomBetween(random, Math.max(0, 1 - strength), 1 + strength);
    });
  };
  return {
    skip: draw,
    apply(image: Uint8Array, _scratch: Uint8Array, random: RandomSource): Uint8Array {
      draw(random);
      for (const index of order) {
        (enabled[index] as (typeof enabled)[number]).adjust(image, factors[index] as number);
      }
      return image;
    },
  };
}
