import { join } from "node:path";
import { readFailureReason, readInputText } from "../../io/read-input-file.js";
import { labelsFrom } from "../dataset.js";
import { DatasetError } from "../dataset-error.js";
import {
  byName,
  findImages,
  type ImageFile,
  type ImageListing,
  ignoredNote,
  requireDirectory,
  statOrNull,
} from "./image-listing.js";

/** Tiny-ImageNet's class count, as published. */
export const TINY_IMAGENET_CLASSES = 200;
const ROOT_NAME = "tiny-imagenet-200";
/** words.txt maps all of WordNet's 82,115 synsets (about 2.6 MB). */
const MAX_TEXT_BYTES = 64 * 2 ** 20;

/** The extracted tiny-imagenet-200/ folder: `dir` itself or the folder of that name in it. */
export function tinyImagenetRoot(dir: string): string {
  if (statOrNull(join(dir, "wnids.txt"))?.isFile()) return dir;
  const inner = join(dir, ROOT_NAME);
  if (statOrNull(join(inner, "wnids.txt"))?.isFile()) return inner;
  throw new DatasetError(
    join(dir, "wnids.txt"),
    "missing-file",
    `file not found (nor ${join(inner, "wnids.txt")}): dir must be the extracted ${ROOT_NAME}/ folder`,
  );
}

/**
 * Tiny-ImageNet as extracted: train/<wnid>/images/*.JPEG, val/images/*.JPEG labelled by
 * val/val_annotations.txt (file, wnid, box, tab-separated), wnids.txt, and words.txt for
 * the classes' names. Classes are the wnids sorted (the order of a class-folder reader over
 * train/); the test split is the val folder (test/ has no labels).
 */
export function listTinyImagenet(dir: string): ImageListing {
  const root = tinyImagenetRoot(dir);
  const notes: string[] = [];
  const { wnids, names } = tinyImagenetClasses(root, notes);
  const label = new Map(wnids.map((wnid, index) => [wnid, index]));
  const ignored: string[] = [];
  const files: ImageFile[] = [];
  const labels: number[] = [];
  for (const [index, wnid] of wnids.entries()) {
    const images = join(root, "train", wnid, "images");
    requireDirectory(images, `the training images of ${wnid}`);
    const found = findImages(images, root);
    ignored.push(...found.ignored);
    if (found.images.length === 0) {
      throw new DatasetError(images, "empty-class", `class ${wnid} holds no JPEG image`);
    }
    for (const file of found.images) {
      files.push(file);
      labels.push(index);
    }
  }
  const trainCount = files.length;

  const annotationsFile = join(root, "val", "val_annotations.txt");
  const valImages = join(root, "val", "images");
  requireDirectory(valImages, "the validation images folder");
  const annotated = new Map<string, number>();
  for (const [line, text] of readText(annotationsFile).split("\n").entries()) {
    if (text.trim() === "") continue;
    const [file, wnid] = text.replace(/\r$/, "").split("\t");
    const index = wnid === undefined ? undefined : label.get(wnid);
    if (file === undefined || file === "" || index === undefined) {
      throw new DatasetError(
        annotationsFile,
        "bad-layout",
        `line ${line + 1} ${wnid === undefined ? "is not <file>\\t<wnid>\\t<box>" : `names wnid "${wnid}", which wnids.txt does not list`}`,
      );
    }
    annotated.set(file, index);
  }
  const found = findImages(valImages, root);
  ignored.push(...found.ignored);
  for (const file of found.images) {
    const name = file.relative.slice(file.relative.lastIndexOf("/") + 1);
    const index = annotated.get(name);
    if (index === undefined) {
      throw new DatasetError(file.path, "bad-layout", `has no line in ${annotationsFile}`);
    }
    annotated.delete(name);
    files.push(file);
    labels.push(index);
  }
  const missing = [...annotated.keys()];
  if (missing.length > 0) {
    throw new DatasetError(
      join(valImages, missing[0] as string),
      "missing-file",
      `listed in ${annotationsFile} but not found${missing.length > 1 ? ` (nor ${missing.length - 1} more it lists)` : ""}`,
    );
  }
  return {
    root,
    classes: wnids,
    classNames: names,
    files,
    labels: labelsFrom(labels, wnids.length),
    splits: {
      train: Int32Array.from({ length: trainCount }, (_, i) => i),
      test: Int32Array.from({ length: files.length - trainCount }, (_, i) => trainCount + i),
    },
    notes: [...notes, ...ignoredNote(ignored)],
  };
}

/**
 * The classes of an extracted Tiny-ImageNet (`root` as tinyImagenetRoot finds it): wnids.txt
 * sorted, and each one's words from words.txt. Reads those two files only.
 */
export function tinyImagenetClasses(
  root: string,
  notes: string[] = [],
): { wnids: string[]; names: string[] } {
  const wnidsFile = join(root, "wnids.txt");
  const wnids = lines(readText(wnidsFile)).sort(byName);
  if (new Set(wnids).size !== wnids.length || wnids.length < 2 || wnids.length > 256) {
    throw new DatasetError(
      wnidsFile,
      "bad-layout",
      `lists ${wnids.length} wnids${new Set(wnids).size !== wnids.length ? " with repeats" : ""}; Tiny-ImageNet has ${TINY_IMAGENET_CLASSES} different ones`,
    );
  }
  if (wnids.length !== TINY_IMAGENET_CLASSES) {
    notes.push(
      `${wnidsFile} lists ${wnids.length} classes, not Tiny-ImageNet's ${TINY_IMAGENET_CLASSES}`,
    );
  }
  return { wnids, names: classNames(root, wnids, notes) };
}

/** Each wnid's words from words.txt (`wnid\tnames`); the wnid itself where it has none. */
function classNames(root: string, wnids: readonly string[], notes: string[]): string[] {
  const wordsFile = join(root, "words.txt");
  if (!statOrNull(wordsFile)?.isFile()) {
    notes.push(`${wordsFile} not found: the classes are named by their wnids`);
    return [...wnids];
  }
  const wanted = new Set(wnids);
  const words = new Map<string, string>();
  for (const line of readText(wordsFile).split("\n")) {
    const tab = line.indexOf("\t");
    const wnid = line.slice(0, tab);
    if (tab > 0 && wanted.has(wnid)) words.set(wnid, line.slice(tab + 1).trim());
  }
  return wnids.map((wnid) => words.get(wnid) || wnid);
}

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

function readText(file: string): string {
  try {
    return readInputText(file, MAX_TEXT_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DatasetError(
      file,
      "missing-file",
      code === "ENOENT" ? "file not found" : readFailureReason(error),
    );
  }
}
