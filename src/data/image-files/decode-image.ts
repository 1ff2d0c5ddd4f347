import type { Sharp, SharpOptions } from "sharp";
import { readFailureReason, readInputFile } from "../../io/read-input-file.js";
import { DatasetError } from "../dataset-error.js";
import type { ImageShape } from "../image-shape.js";
import type { ImageFile } from "./image-listing.js";

/** How every image of a source is decoded: its size after resizing, and RGB or luminance. */
export interface DecodeSettings {
  readonly height: number;
  readonly width: number;
  readonly color: "rgb" | "gray";
}

/** The formats read, as sharp names them (whatever the file's extension says). */
const FORMATS = ["png", "jpeg", "webp"];
/** Larger than any image a dataset of small images holds; a cap against a huge file. */
const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;
/** sharp's own default; an image past it (a decompression bomb) is refused. */
const MAX_INPUT_PIXELS = 268_402_689;

export function decodedShape(settings: DecodeSettings): ImageShape {
  return {
    channels: settings.color === "rgb" ? 3 : 1,
    height: settings.height,
    width: settings.width,
  };
}

type SharpFactory = (input: Buffer, options: SharpOptions) => Sharp;
let loaded: Promise<SharpFactory> | undefined;

/** sharp, loaded on first use: only decoding needs it (reading the cache does not). */
function sharpFactory(): Promise<SharpFactory> {
  loaded ??= import("sharp").then((module) => module.default as unknown as SharpFactory);
  return loaded;
}

/**
 * Decodes one PNG, JPEG or WebP file into `out` at `offset` as C x H x W bytes: alpha dropped,
 * grey images repeated to RGB (or RGB reduced to libvips' luminance for `gray`), resized
 * to the settings' size when it differs (stretched, not cropped: sharp's `fill` with its
 * Lanczos-3 kernel); an image of that size already is copied exactly. EXIF orientation is
 * not applied (as PIL and torchvision read images). Errors name the file.
 */
export async function decodeImageInto(
  file: ImageFile,
  settings: DecodeSettings,
  out: Uint8Array,
  offset: number,
): Promise<void> {
  const sharp = await sharpFactory();
  let bytes: Buffer;
  try {
    bytes = readInputFile(file.path, MAX_IMAGE_FILE_BYTES);
  } catch (error) {
    throw new DatasetError(file.path, "missing-file", readFailureReason(error));
  }
  const { channels, height, width } = decodedShape(settings);
  let pixels: Buffer;
  try {
    const options: SharpOptions = { failOn: "warning", limitInputPixels: MAX_INPUT_PIXELS };
    const metadata = await sharp(bytes, options).metadata();
    if (!FORMATS.includes(metadata.format ?? "")) {
      throw new Error(
        `it is a ${metadata.format ?? "unknown"} image; pemn reads PNG, JPEG and WebP`,
      );
    }
    let image = sharp(bytes, options).removeAlpha();
    image = settings.color === "rgb" ? image.toColourspace("srgb") : image.grayscale();
    if (metadata.width !== width || metadata.height !== height) {
      image = image.resize(width, height, { fit: "fill" });
    }
    const result = await image.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    if (
      result.info.channels !== channels ||
      result.info.width !== width ||
      result.info.height !== height
    ) {
      throw new Error(
        `decoded to ${result.info.channels}x${result.info.height}x${result.info.width}, not ${channels}x${height}x${width}`,
      );
    }
    pixels = result.data;
  } catch (error) {
    throw new DatasetError(
      file.path,
      "bad-image",
      `cannot decode this image: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  // sharp gives H x W x C (interleaved); datasets hold C x H x W.
  const plane = height * width;
  for (let c = 0; c < channels; c++) {
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = pixels[i * channels + c] as number;
  }
}
