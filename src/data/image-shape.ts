/** Shape of one image, channel-major (C x H x W), as every data function lays images out. */
export interface ImageShape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Number of values in one image: channels x height x width. */
export function valuesPerImage(shape: ImageShape): number {
  return shape.channels * shape.height * shape.width;
}
