import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { seededRandom } from "../helpers/test-random.js";

/** An image as the test made it: H x W x C interleaved bytes, as sharp takes raw input. */
export interface MadeImage {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly pixels: Uint8Array;
}

/** Random pixels (seeded), or a smooth gradient that JPEG keeps well. */
export function makeImage(
  seed: number,
  options: { height?: number; width?: number; channels?: 1 | 3; smooth?: boolean } = {},
): MadeImage {
  const height = options.height ?? 6;
  const width = options.width ?? 8;
  const channels = options.channels ?? 3;
  const random = seededRandom(seed);
  const pixels = new Uint8Array(height * width * channels);
  const offsets = [0, 1, 2].map(() => random.nextUint32() % 128);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        pixels[(y * width + x) * channels + c] = options.smooth
          ? (offsets[c] as number) + 8 * x + 4 * y
          : random.nextUint32() % 256;
      }
    }
  }
  return { height, width, channels, pixels };
}

/** The image's pixels as pemn holds them: C x H x W. */
export function channelMajor(image: MadeImage): Uint8Array {
  const { height, width, channels, pixels } = image;
  const out = new Uint8Array(pixels.length);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < height * width; i++) {
      out[c * height * width + i] = pixels[i * channels + c] as number;
    }
  }
  return out;
}

/** Writes `image` to `path` as PNG, JPEG (quality 95) or WebP (lossless), by the extension. */
export async function writeImage(path: string, image: MadeImage): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const raw = sharp(Buffer.from(image.pixels), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  });
  const lower = path.toLowerCase();
  const encoded = lower.endsWith(".png")
    ? raw.png()
    : lower.endsWith(".webp")
      ? raw.webp({ lossless: true })
      : raw.jpeg({ quality: 95, chromaSubsampling: "4:4:4" });
  writeFileSync(path, await encoded.toBuffer());
}

/**
 * Writes a tree of images: `files` maps paths (relative to `root`) to images. Returns the
 * same map, for the expectations.
 */
export async function writeTree(
  root: string,
  files: Readonly<Record<string, MadeImage>>,
): Promise<Record<string, MadeImage>> {
  await Promise.all(
    Object.entries(files).map(([path, image]) => writeImage(join(root, path), image)),
  );
  return { ...files };
}
