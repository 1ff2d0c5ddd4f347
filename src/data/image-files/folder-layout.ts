import { join } from "node:path";
import { createGenerator } from "../../random/index.js";
import { labelsFrom, MAX_CLASSES } from "../dataset.js";
import { DatasetError } from "../dataset-error.js";
import type { DatasetSource } from "../dataset-source.js";
import { shuffleInPlace } from "../random-source.js";
import {
  findImages,
  type ImageFile,
  type ImageListing,
  ignoredNote,
  isDirectory,
  looseFiles,
  requireDirectory,
  subdirectories,
} from "./image-listing.js";

type FolderSource = Extract<DatasetSource, { name: "folder" }>;

/** The stream of the project's generator that splits a folder without train/ and val/. */
export const FOLDER_SPLIT_STREAM = "data/folder-test-split";

/**
 * Where a folder's splits are: `train/` beside `val/` (else `test/`), each holding the class
 * folders; or the class folders directly, split by seed.
 */
type FolderLayout =
  | { readonly kind: "split"; readonly train: string; readonly test: string }
  | { readonly kind: "flat"; readonly classesIn: string };

function folderLayout(dir: string): FolderLayout {
  requireDirectory(dir, "the image folder");
  const train = join(dir, "train");
  const test = ["val", "test"].map((name) => join(dir, name)).find(isDirectory);
  if (isDirectory(train) && test !== undefined) return { kind: "split", train, test };
  return { kind: "flat", classesIn: dir };
}

/**
 * The folder's classes in label order: every class folder, sorted by name (under train/ when
 * the folder is split). What a run config records when it names none.
 */
export function folderClasses(dir: string): string[] {
  const layout = folderLayout(dir);
  const classesIn = layout.kind === "split" ? layout.train : layout.classesIn;
  const classes = subdirectories(classesIn);
  if (classes.length < 2) {
    throw new DatasetError(
      classesIn,
      "bad-layout",
      `holds ${classes.length === 0 ? "no class folders" : `one class folder (${classes[0]})`}; an image folder needs a folder per class, at least 2 (docs/data.md, "Image folders")`,
    );
  }
  if (classes.length > MAX_CLASSES) {
    throw new DatasetError(
      classesIn,
      "bad-layout",
      `holds ${classes.length} class folders; pemn takes at most ${MAX_CLASSES} (16-bit labels)`,
    );
  }
  return classes;
}

/** Every image of an image folder, labelled by class folder, and its train and test splits. */
export function listImageFolder(source: FolderSource): ImageListing {
  const layout = folderLayout(source.dir);
  const classes = source.classes ?? folderClasses(source.dir);
  const notes: string[] = [];
  const ignored: string[] = [];
  const classesIn = layout.kind === "split" ? layout.train : layout.classesIn;
  const extra = subdirectories(classesIn).filter((name) => !classes.includes(name));
  if (extra.length > 0) {
    notes.push(
      `left out ${extra.length} folder${extra.length === 1 ? "" : "s"} of ${classesIn} that the config's classes do not name: ${extra.join(", ")}`,
    );
  }
  // Files beside the class folders belong to no class.
  ignored.push(...looseFiles(classesIn));
  if (layout.kind === "split") ignored.push(...looseFiles(layout.test));

  const classFiles = (parent: string, required: boolean): ImageFile[][] =>
    classes.map((name) => {
      const dir = join(parent, name);
      if (!isDirectory(dir)) {
        if (required) {
          throw new DatasetError(dir, "missing-file", `class folder "${name}" not found`);
        }
        return [];
      }
      const found = findImages(dir, source.dir);
      ignored.push(...found.ignored);
      if (required && found.images.length === 0) {
        throw new DatasetError(
          dir,
          "empty-class",
          `class "${name}" holds no PNG, JPEG or WebP image (searched recursively); add images or leave the class out (a folder without images cannot be learned)`,
        );
      }
      return found.images;
    });

  let listing: Omit<ImageListing, "notes">;
  if (layout.kind === "split") {
    const train = classFiles(layout.train, true);
    const test = classFiles(layout.test, false);
    const testExtra = subdirectories(layout.test).filter((name) => !classes.includes(name));
    if (testExtra.length > 0) {
      throw new DatasetError(
        layout.test,
        "bad-layout",
        `holds class folders that ${layout.train} has not: ${testExtra.join(", ")} (a test image needs a trained class)`,
      );
    }
    listing = fromGroups(source.dir, classes, [train, test]);
    if (listing.splits.test.length === 0) {
      throw new DatasetError(
        layout.test,
        "empty-class",
        "holds no image of any class: nothing to test on",
      );
    }
  } else {
    const all = classFiles(layout.classesIn, true);
    listing = seededSplit(source, classes, all);
  }
  return { ...listing, notes: [...notes, ...ignoredNote(ignored)] };
}

/** Files grouped by split, then by class: the cache order, labels and split indices. */
function fromGroups(
  root: string,
  classes: readonly string[],
  [train, test]: readonly [ImageFile[][], ImageFile[][]],
): Omit<ImageListing, "notes"> {
  const files: ImageFile[] = [];
  const labels: number[] = [];
  const ranges: Int32Array[] = [];
  for (const groups of [train, test]) {
    const start = files.length;
    groups.forEach((group, label) => {
      for (const file of group) {
        files.push(file);
        labels.push(label);
      }
    });
    ranges.push(Int32Array.from({ length: files.length - start }, (_, i) => start + i));
  }
  return {
    root,
    classes,
    classNames: classes,
    files,
    labels: labelsFrom(labels, classes.length),
    splits: { train: ranges[0] as Int32Array, test: ranges[1] as Int32Array },
  };
}

/**
 * A folder without train/ and val/: each class's images are shuffled by the project's
 * generator (seeded by splitSeed) and round(n x testFraction) of them, at most n - 1, held
 * out for testing. The same folder and settings always give the same, disjoint splits.
 */
function seededSplit(
  source: FolderSource,
  classes: readonly string[],
  byClass: readonly ImageFile[][],
): Omit<ImageListing, "notes"> {
  const random = createGenerator(source.splitSeed, FOLDER_SPLIT_STREAM);
  const files = byClass.flat();
  const labels = labelsFrom(
    byClass.flatMap((group, label) => group.map(() => label)),
    classes.length,
  );
  const isTest = new Uint8Array(files.length);
  let start = 0;
  for (const group of byClass) {
    const held = Math.min(Math.round(group.length * source.testFraction), group.length - 1);
    const order = shuffleInPlace(
      Int32Array.from({ length: group.length }, (_, i) => start + i),
      random,
    );
    for (const index of order.subarray(0, held)) isTest[index] = 1;
    start += group.length;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < files.length; i++) (isTest[i] ? test : train).push(i);
  if (test.length === 0) {
    throw new DatasetError(
      source.dir,
      "bad-layout",
      `testFraction ${source.testFraction} of its ${files.length} images holds out none for testing: add images, raise testFraction, or give train/ and val/ folders`,
    );
  }
  return {
    root: source.dir,
    classes,
    classNames: classes,
    files,
    labels,
    splits: { train: Int32Array.from(train), test: Int32Array.from(test) },
  };
}
