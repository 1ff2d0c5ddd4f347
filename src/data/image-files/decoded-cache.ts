import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicFrom } from "../../io/atomic-write.js";
import { DatasetError } from "../dataset-error.js";
import { type ImageShape, valuesPerImage } from "../image-shape.js";
import type { DecodeSettings } from "./decode-image.js";
import type { ImageFile } from "./image-listing.js";

/**
 * A decoded cache file: MAGIC, a u32 (little-endian) length and that much JSON
 * ({ key, count, channels, height, width }), then every image's C x H x W bytes in the
 * listing's order. Named by its key, so a changed folder or setting is a new file.
 */
const MAGIC = Buffer.from("PEMNIMG1", "latin1");
/** Bumped whenever the decoded bytes of the same files and settings would change. */
const CACHE_VERSION = 1;

/**
 * The cache key: a SHA-256 over the decode settings and every file's path (relative to the
 * dataset's folder), size and modification time, in order. Renaming, adding, removing or
 * touching an image, or changing the size or colour, gives another key; moving the whole
 * folder does not.
 */
export function cacheKey(files: readonly ImageFile[], settings: DecodeSettings): string {
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify({
      version: CACHE_VERSION,
      height: settings.height,
      width: settings.width,
      color: settings.color,
    }),
  );
  for (const file of files) hash.update(`\n${file.relative}\0${file.size}\0${file.mtimeMs}`);
  return hash.digest("hex");
}

/** Where the images of a key are cached: `<cache dir>/decoded/<key>.images`. */
export function cacheFile(cacheDir: string, key: string): string {
  return join(cacheDir, "decoded", `${key}.images`);
}

function headerOf(key: string, count: number, shape: ImageShape): Buffer {
  const json = Buffer.from(
    JSON.stringify({
      key,
      count,
      channels: shape.channels,
      height: shape.height,
      width: shape.width,
    }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([MAGIC, length, json]);
}

/**
 * Writes a cache file atomically (a temporary file renamed into place, so a reader never sees
 * a partial one), its images produced `batch` at a time: memory holds one batch, not all.
 */
export async function writeCache(
  file: string,
  key: string,
  count: number,
  shape: ImageShape,
  decode: (first: number, out: Uint8Array) => Promise<void>,
  batch: number,
): Promise<void> {
  const size = valuesPerImage(shape);
  await writeFileAtomicFrom(file, async (write) => {
    write(headerOf(key, count, shape));
    for (let first = 0; first < count; first += batch) {
      const out = new Uint8Array(Math.min(batch, count - first) * size);
      await decode(first, out);
      write(out);
    }
  });
}

/**
 * The images at `indices` (increasing) of a cache file, or null if there is none. A file whose
 * header disagrees with the key, count or shape, or whose length is not what its header
 * announces, is refused (it is not what the key names: a different writer, or damage).
 */
export function readCache(
  file: string,
  key: string,
  count: number,
  shape: ImageShape,
  indices: Int32Array,
): Uint8Array | null {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new DatasetError(
      file,
      "missing-file",
      `cannot read the decoded cache (${(error as Error).message})`,
    );
  }
  try {
    const stats = fstatSync(fd);
    const expected = headerOf(key, count, shape);
    const size = valuesPerImage(shape);
    const header = Buffer.alloc(expected.length);
    if (
      !stats.isFile() ||
      stats.size !== expected.length + count * size ||
      readSync(fd, header, 0, header.length, 0) !== header.length ||
      !header.equals(expected)
    ) {
      throw new DatasetError(
        file,
        "bad-layout",
        "the decoded cache is not what its name says (damaged?): delete it and it is decoded again",
      );
    }
    const images = new Uint8Array(indices.length * size);
    // Runs of consecutive indices are read at once.
    let i = 0;
    while (i < indices.length) {
      let j = i + 1;
      while (j < indices.length && (indices[j] as number) === (indices[j - 1] as number) + 1) j++;
      readFully(
        fd,
        images,
        i * size,
        (j - i) * size,
        expected.length + (indices[i] as number) * size,
        file,
      );
      i = j;
    }
    return images;
  } finally {
    closeSync(fd);
  }
}

function readFully(
  fd: number,
  out: Uint8Array,
  offset: number,
  length: number,
  position: number,
  file: string,
): void {
  let done = 0;
  while (done < length) {
    // At most 1 GiB a call: readSync's length is bounded by the platform.
    const read = readSync(
      fd,
      out,
      offset + done,
      Math.min(length - done, 2 ** 30),
      position + done,
    );
    if (read === 0) throw new DatasetError(file, "truncated", "the decoded cache ended early");
    done += read;
  }
}
