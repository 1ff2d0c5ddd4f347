import type { OutputInfo } from "sharp";
import type { ImageShape } from "../data/image-shape.js";
import { readInputFile } from "../io/read-input-file.js";

/** The largest image file read (PNG, JPEG, WebP, ...); sharp also refuses over 268 megapixels. */
export const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;

/** An image file could not be read or decoded; the message names it. */
export class ImageFileError extends Error {
  override readonly name = "ImageFileError";

  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/**
 * An image file's pixels as a model of input `shape` takes them: decoded with sharp (PNG,
 * JPEG, WebP, GIF, TIFF, AVIF, SVG), transparency laid over black, resized to height x width
 * (stretched, as torchvision's Resize((h, w)) does; untouched when it is that size already),
 * converted to grayscale for 1 channel or sRGB for 3 (in R, G, B order), and laid out channel-major,
 * one uint8 per value. Only a regular file (readInputFile) of at most MAX_IMAGE_FILE_BYTES.
 */
export async function readImagePixels(file: string, shape: ImageShape): Promise<Uint8Array> {
  const { channels, height, width } = shape;
  if (channels !== 1 && channels !== 3) {
    throw new ImageFileError(
      file,
      `the model takes ${channels}-channel images; image files give 1 or 3`,
    );
  }
  const bytes = readInputFile(file, MAX_IMAGE_FILE_BYTES);
  // Loaded here, not with the module: libvips is large, and most users of pemn never need it.
  const { default: sharp } = await import("sharp");
  let raw: { data: Buffer; info: OutputInfo };
  try {
    let image = sharp(bytes).flatten({ background: "#000000" }).resize(width, height, {
      fit: "fill",
    });
    image = channels === 1 ? image.toColourspace("b-w") : image.toColourspace("srgb");
    raw = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageFileError(file, `not an image that can be read: ${(error as Error).message}`);
  }
  const { data, info } = raw;
  if (info.channels !== channels || info.width !== width || info.height !== height) {
    throw new ImageFileError(
      file,
      `decoded to ${info.channels}x${info.height}x${info.width}, not ${channels}x${height}x${width}`,
    );
  }
  // sharp gives rows of pixels (HWC); the model takes planes (CHW).
  const plane = height * width;
  const pixels = new Uint8Array(channels * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) pixels[c * plane + p] = data[p * channels + c] as number;
  }
  return pixels;
}
