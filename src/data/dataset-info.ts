import type { DatasetSource } from "./dataset-source.js";
import type { ImageShape } from "./image-shape.js";

/** What a dataset's images and labels look like, known without reading its files. */
export interface DatasetInfo extends ImageShape {
  readonly classes: number;
}

/** Each dataset's image shape and class count, as published. */
export function datasetInfo(source: DatasetSource): DatasetInfo {
  switch (source.name) {
    case "fashion-mnist":
    case "mnist":
      return { channels: 1, height: 28, width: 28, classes: 10 };
    case "cifar10":
      return { channels: 3, height: 32, width: 32, classes: 10 };
    case "cifar100":
      return { channels: 3, height: 32, width: 32, classes: source.labels === "fine" ? 100 : 20 };
  }
}
