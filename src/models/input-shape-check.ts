import type { ImageShape } from "../data/image-shape.js";
import type { Tensor } from "../engine/index.js";

/** Every model takes a batch [N, channels, height, width]; a mismatch is named here, not deep in libtorch. */
export function assertInputShape(input: Tensor, expected: ImageShape, model: string): void {
  const [, channels, height, width] = input.shape;
  if (
    input.rank !== 4 ||
    channels !== expected.channels ||
    height !== expected.height ||
    width !== expected.width
  ) {
    throw new RangeError(
      `${model} expects input [N, ${expected.channels}, ${expected.height}, ${expected.width}], got [${input.shape}]`,
    );
  }
}
