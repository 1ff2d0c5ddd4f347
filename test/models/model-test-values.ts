import { randomValues } from "../helpers/test-random.js";

/** Test values for every masked layer: uniform in [-1, 1), each seeded by the order in which layers ask (the layout order). */
export function testLayerValues(seed: number) {
  let next = seed;
  return (layer: { shape: readonly number[] }): Float32Array =>
    Float32Array.from(
      randomValues(
        layer.shape.reduce((a, b) => a * b, 1),
        next++,
      ),
    );
}

export const CIFAR = { channels: 3, height: 32, width: 32 } as const;
export const FASHION_MNIST = { channels: 1, height: 28, width: 28 } as const;
export const MASKED = { kind: "masked", keepFraction: 0.5 } as const;
