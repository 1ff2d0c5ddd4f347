import { CLASS_NAMES } from "./class-names.js";
import { type DatasetSource, imageSize } from "./dataset-source.js";
import { folderClasses } from "./image-files/folder-layout.js";
import {
  TINY_IMAGENET_CLASSES,
  tinyImagenetClasses,
  tinyImagenetRoot,
} from "./image-files/tiny-imagenet-layout.js";
import type { ImageShape } from "./image-shape.js";

/** What a dataset's images and labels look like, known without decoding its images. */
export interface DatasetInfo extends ImageShape {
  readonly classes: number;
  /**
   * The classes' names in label order where they are known without reading the data: the
   * published ones, an image folder's class folders; null otherwise (CIFAR-100, whose 100
   * are not listed; Tiny-ImageNet, whose names are in its words.txt).
   */
  readonly classNames: readonly string[] | null;
}

/**
 * Each dataset's image shape and class count: as published, or as its config says (an image
 * folder's size and colour). An image folder whose config does not list its classes is listed
 * (its class folders, not its images): resolveDatasetSource records them in the config.
 */
export function datasetInfo(source: DatasetSource): DatasetInfo {
  switch (source.name) {
    case "fashion-mnist":
    case "mnist":
      return {
        channels: 1,
        height: 28,
        width: 28,
        classes: 10,
        classNames: CLASS_NAMES[source.name] ?? null,
      };
    case "cifar10":
      return {
        channels: 3,
        height: 32,
        width: 32,
        classes: 10,
        classNames: CLASS_NAMES.cifar10 ?? null,
      };
    case "cifar100":
      return {
        channels: 3,
        height: 32,
        width: 32,
        classes: source.labels === "fine" ? 100 : 20,
        classNames: null,
      };
    case "tiny-imagenet":
    case "folder": {
      const [height, width] = imageSize(source.size);
      const channels = source.color === "rgb" ? 3 : 1;
      if (source.name === "tiny-imagenet") {
        return { channels, height, width, classes: TINY_IMAGENET_CLASSES, classNames: null };
      }
      const classes = source.classes ?? folderClasses(source.dir);
      return { channels, height, width, classes: classes.length, classNames: classes };
    }
  }
}

/**
 * The source as a run config records it: an image folder with its classes listed (every
 * class folder, sorted by name, when the config names none), so that the run keeps its labels
 * whatever the folder gains later. Other sources are returned as they are.
 */
export function resolveDatasetSource<T extends DatasetSource>(source: T): T {
  if (source.name !== "folder" || source.classes !== undefined) return source;
  return { ...source, classes: folderClasses(source.dir) };
}

/**
 * The classes' names in label order: datasetInfo's, or for Tiny-ImageNet its words.txt's
 * (reading wnids.txt and words.txt, no image); null where they are not known or cannot be
 * read (a Tiny-ImageNet folder since removed).
 */
export function datasetClassNames(source: DatasetSource): readonly string[] | null {
  if (source.name !== "tiny-imagenet") return datasetInfo(source).classNames;
  try {
    return tinyImagenetClasses(tinyImagenetRoot(source.dir)).names;
  } catch {
    return null;
  }
}
