import { z } from "zod";
import { flag } from "../config/config-flags.js";
import { parseConfig } from "../config/parse-config.js";
import { MAX_CLASSES } from "./dataset.js";

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

/** The dataset a source without a name is: the project's default (a config giving only `dir`). */
export const DEFAULT_DATASET = "fashion-mnist";

/** Every dataset name a source may give, in the order messages and help list them. */
export const DATASET_NAMES = [
  "fashion-mnist",
  "mnist",
  "cifar10",
  "cifar100",
  "tiny-imagenet",
  "folder",
] as const;

/** The default side images of a folder are resized to (docs/data.md, "Image folders"). */
export const DEFAULT_FOLDER_SIZE = 32;
/** Tiny-ImageNet's own image side. */
export const TINY_IMAGENET_SIZE = 64;
/** The share of each class a folder without train/ and val/ subfolders holds out for testing. */
export const DEFAULT_TEST_FRACTION = 0.2;

const dirFlag = flag(
  "data-dir",
  "directory of the dataset's files (folder: of its class folders)",
  {
    valueName: "dir",
  },
);

const dirField = (dataset: string) =>
  z
    .string({ error: `dir: the directory holding the ${dataset} files is required` })
    .min(1, { error: "dir must not be empty" })
    .meta(dirFlag);

const sideField = z
  .number({ error: "size must be a number or [height, width]" })
  .int({ error: "size must be an integer" })
  .min(1, { error: "size must be at least 1" })
  .max(4096, { error: "size must be at most 4096" });

/** The side (square images) or [height, width] every image is resized to. */
const sizeField = (side: number) =>
  z
    .union([sideField, z.tuple([sideField, sideField])], {
      error: "size must be an integer or [height, width]",
    })
    .default(side)
    .meta(
      flag("image-size", "folder, tiny-imagenet: side images are resized to", {
        valueName: "n",
        parse: (text) => (text.trim() === "" ? Number.NaN : Number(text)),
      }),
    );

/** How decoded images are stored: 3 channels (RGB, alpha dropped) or 1 (luminance). */
const colorField = z
  .enum(["rgb", "gray"], { error: 'color must be "rgb" or "gray"' })
  .default("rgb");

/** Class folder names, each a single path component (no separators, not "." or ".."). */
const className = z
  .string({ error: "each class must be a folder name" })
  .min(1, { error: "a class name must not be empty" })
  .refine((name) => !/[/\\]/.test(name) && name !== "." && name !== "..", {
    error: "a class must be one folder name, without / or \\",
  });

const folderSchema = z.strictObject({
  name: z.literal("folder"),
  dir: dirField("image folder's"),
  size: sizeField(DEFAULT_FOLDER_SIZE),
  color: colorField,
  /**
   * The class folders in label order. Left out, every class folder, sorted by name: parsing a
   * run config fills it in (resolveDatasetSource), so config.json records the classes.
   */
  classes: z
    .array(className, { error: "classes must be a list of folder names" })
    .min(2, { error: "classes must name at least 2 folders" })
    .max(MAX_CLASSES, { error: `classes must name at most ${MAX_CLASSES} folders (16-bit labels)` })
    .refine((names) => new Set(names).size === names.length, {
      error: "classes must not repeat a folder",
    })
    .optional(),
  /** Without train/ and val/ (or test/) subfolders: each class's share held out for testing. */
  testFraction: z
    .number({ error: "testFraction must be a number" })
    .gt(0, { error: "testFraction must be in (0, 1)" })
    .lt(1, { error: "testFraction must be in (0, 1)" })
    .default(DEFAULT_TEST_FRACTION),
  /** Seeds that split (not the run's seed: every run on the folder tests on the same images). */
  splitSeed: z
    .number({ error: "splitSeed must be a number" })
    .int({ error: "splitSeed must be an integer" })
    .min(0, { error: "splitSeed must be at least 0" })
    .max(Number.MAX_SAFE_INTEGER, { error: "splitSeed must be a safe integer" })
    .default(0),
});

/** Which dataset to load and from where. Only Fashion-MNIST has a default location. */
const namedSourceSchema = z
  .discriminatedUnion(
    "name",
    [
      z.strictObject({
        name: z.literal("fashion-mnist"),
        dir: z
          .string()
          .min(1, { error: "dir must not be empty" })
          .default(FASHION_MNIST_DEFAULT_DIR)
          .meta(dirFlag),
      }),
      z.strictObject({ name: z.literal("mnist"), dir: dirField("MNIST") }),
      z.strictObject({ name: z.literal("cifar10"), dir: dirField("CIFAR-10 binary") }),
      z.strictObject({
        name: z.literal("cifar100"),
        dir: dirField("CIFAR-100 binary"),
        /** Fine labels (100 classes) as the paper uses, or coarse superclasses (20). */
        labels: z.enum(["fine", "coarse"]).default("fine"),
      }),
      z.strictObject({
        name: z.literal("tiny-imagenet"),
        /** The extracted tiny-imagenet-200/ folder (or the folder holding it). */
        dir: dirField("tiny-imagenet-200"),
        size: sizeField(TINY_IMAGENET_SIZE),
        color: colorField,
      }),
      folderSchema,
    ],
    {
      error: (issue) => {
        const input = issue.input;
        if (typeof input !== "object" || input === null || Array.isArray(input)) {
          return "a dataset source must be an object such as { name: folder, dir: ... }";
        }
        const known = DATASET_NAMES.map((name) => `"${name}"`).join(", ");
        return `name must be one of ${known}, not ${JSON.stringify((input as { name?: unknown }).name)}`;
      },
    },
  )
  .meta(flag("dataset", `which dataset (default ${DEFAULT_DATASET})`, { valueName: "name" }));

/**
 * A dataset source. One without a `name` is the default dataset's (Fashion-MNIST), so that a
 * config giving only `dir` (or `pemn train --data-dir` alone) means the default dataset there.
 */
export const datasetSourceSchema = z.preprocess(
  (value) =>
    typeof value === "object" && value !== null && !Array.isArray(value) && !("name" in value)
      ? { name: DEFAULT_DATASET, ...value }
      : value,
  namedSourceSchema,
);

export type DatasetSourceInput = z.input<typeof namedSourceSchema>;
export type DatasetSource = z.output<typeof namedSourceSchema>;
export type DatasetSplit = "train" | "test";
/** The sources whose images are files decoded with sharp (docs/data.md, "Image folders"). */
export type ImageFileSource = Extract<DatasetSource, { name: "folder" | "tiny-imagenet" }>;

export function parseDatasetSource(value: unknown): DatasetSource {
  return parseConfig(datasetSourceSchema, value, "dataset source");
}

/** [height, width] of a source's `size`. */
export function imageSize(size: number | readonly [number, number]): [number, number] {
  return typeof size === "number" ? [size, size] : [size[0], size[1]];
}
