import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { makeDirectory } from "../../io/atomic-write.js";
import { availableMemoryBytes } from "../../io/machine-memory.js";
import { formatBytes } from "../../io/read-input-file.js";
import { dataCacheDir } from "../data-cache.js";
import { type Dataset, newLabels } from "../dataset.js";
import { DatasetError } from "../dataset-error.js";
import { type DatasetSplit, type ImageFileSource, imageSize } from "../dataset-source.js";
import { type ImageShape, valuesPerImage } from "../image-shape.js";
import { type DecodeSettings, decodedShape, decodeImageInto } from "./decode-image.js";
import { cacheFile, cacheKey, readCache, writeCache } from "./decoded-cache.js";
import { listImageFolder } from "./folder-layout.js";
import type { ImageListing } from "./image-listing.js";
import { listTinyImagenet } from "./tiny-imagenet-layout.js";

export interface ImageDatasetOptions {
  /** Where decoded images are cached (default dataCacheDir()/decoded). */
  readonly cacheDir?: string;
  /** Bytes the decoded images may take (default availableMemoryBytes()). */
  readonly availableBytes?: number;
}

export interface PrepareImageOptions extends ImageDatasetOptions {
  /** What was left out of the dataset, and when images are decoded (default: stderr). */
  readonly onNote?: (line: string) => void;
}

/** What preparing did: the cache file, and how many images were decoded (0: a cache hit). */
export interface PreparedImages {
  readonly cacheFile: string;
  readonly images: number;
  readonly decoded: number;
}

/** Decoded bytes a cache batch holds in memory while it is written. */
const BATCH_BYTES = 64 * 2 ** 20;

export function decodeSettings(source: ImageFileSource): DecodeSettings {
  const [height, width] = imageSize(source.size);
  return { height, width, color: source.color };
}

/** The source's images and classes, from a listing of its folder (no image is opened). */
export function listImageSource(source: ImageFileSource): ImageListing {
  return source.name === "folder" ? listImageFolder(source) : listTinyImagenet(source.dir);
}

/**
 * Decodes every image of the source (both splits) into the cache, unless the cache already
 * holds them: keyed by the files' paths, sizes and modification times and the decode settings
 * (decoded-cache.ts), so a second call reads no image. Refuses, before decoding, a dataset
 * that would not fit in memory once loaded.
 */
export async function prepareImageDataset(
  source: ImageFileSource,
  options: PrepareImageOptions = {},
): Promise<PreparedImages> {
  const note = options.onNote ?? ((line: string) => process.stderr.write(`note: ${line}\n`));
  const listing = listImageSource(source);
  for (const line of listing.notes) note(line);
  const settings = decodeSettings(source);
  const shape = decodedShape(settings);
  const count = listing.files.length;
  checkMemory(listing.root, count, shape, options.availableBytes);
  const key = cacheKey(listing.files, settings);
  const file = cacheFile(options.cacheDir ?? dataCacheDir(), key);
  try {
    if (readCache(file, key, count, shape, new Int32Array(0)) !== null) {
      return { cacheFile: file, images: count, decoded: 0 };
    }
  } catch (error) {
    // A damaged cache is decoded again (and replaced); anything else is the caller's to see.
    if (!(error instanceof DatasetError && error.file === file)) throw error;
  }
  makeDirectory(dirname(file));
  const started = performance.now();
  note(
    `decoding ${count} images of ${listing.root} to ${shape.channels}x${shape.height}x${shape.width} into ${file} (once: later loads read the cache)`,
  );
  const size = valuesPerImage(shape);
  const inFlight = Math.max(2, Math.min(8, availableParallelism()));
  await writeCache(
    file,
    key,
    count,
    shape,
    async (first, out) => {
      const images = out.length / size;
      let next = 0;
      const worker = async () => {
        while (next < images) {
          const index = next++;
          await decodeImageInto(
            listing.files[first + index] as (typeof listing.files)[number],
            settings,
            out,
            index * size,
          );
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, images) }, worker));
    },
    Math.max(1, Math.floor(BATCH_BYTES / size)),
  );
  note(`decoded ${count} images in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { cacheFile: file, images: count, decoded: count };
}

/**
 * One split of the source, read from the decoded cache (prepareImageDataset first; without
 * it this throws `not-prepared`). Reads no image file.
 */
export function loadImageDataset(
  source: ImageFileSource,
  split: DatasetSplit,
  options: ImageDatasetOptions = {},
): Dataset {
  const listing = listImageSource(source);
  const settings = decodeSettings(source);
  const shape = decodedShape(settings);
  const indices = listing.splits[split];
  checkMemory(listing.root, indices.length, shape, options.availableBytes);
  const key = cacheKey(listing.files, settings);
  const file = cacheFile(options.cacheDir ?? dataCacheDir(), key);
  const images = readCache(file, key, listing.files.length, shape, indices);
  if (images === null) {
    throw new DatasetError(
      listing.root,
      "not-prepared",
      `its images are not decoded yet (no ${file}): prepareDataset(source) decodes them once (pemn train and eval do)`,
    );
  }
  const labels = newLabels(indices.length, listing.classes.length);
  indices.forEach((index, i) => {
    labels[i] = listing.labels[index] as number;
  });
  return {
    name: source.name,
    images,
    labels,
    count: indices.length,
    ...shape,
    classes: listing.classes.length,
    classNames: listing.classNames,
  };
}

function checkMemory(
  root: string,
  count: number,
  shape: ImageShape,
  availableBytes: number = availableMemoryBytes(),
): void {
  const needed = count * valuesPerImage(shape);
  if (needed > availableBytes) {
    throw new DatasetError(
      root,
      "too-large",
      `${count} images of ${shape.channels}x${shape.height}x${shape.width} take ${formatBytes(needed)} decoded, more than the ${formatBytes(availableBytes)} this process may use (80% of the memory available, or PEMN_MAX_MEMORY): use a smaller size, color gray, or fewer images`,
    );
  }
}
