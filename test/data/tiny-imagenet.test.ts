import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DatasetError } from "../../src/data/dataset-error.js";
import {
  datasetClassNames,
  datasetInfo,
  loadDataset,
  parseDatasetSource,
  prepareDataset,
} from "../../src/data/index.js";
import { temporaryDirectory } from "./helpers.js";
import { channelMajor, type MadeImage, makeImage, writeTree } from "./image-trees.js";

/**
 * A miniature tiny-imagenet-200/: 3 classes (listed out of order in wnids.txt), 3 training
 * images each (with the boxes file the real one has beside them), 5 validation images
 * labelled by val_annotations.txt, a test folder without labels, and words.txt with
 * synsets beyond the 3.
 */
const WNIDS = ["n02124075", "n01443537", "n04067472"];
const SORTED = ["n01443537", "n02124075", "n04067472"];
const WORDS: Record<string, string> = {
  n01443537: "goldfish, Carassius auratus",
  n02124075: "Egyptian cat",
  n04067472: "reel",
  n00001740: "entity",
};
const VAL: readonly [string, string][] = [
  ["val_0.JPEG", "n04067472"],
  ["val_1.JPEG", "n01443537"],
  ["val_2.JPEG", "n02124075"],
  ["val_3.JPEG", "n01443537"],
  ["val_4.JPEG", "n04067472"],
];

let work: ReturnType<typeof temporaryDirectory>;
let root: string;
const made: Record<string, MadeImage> = {};
before(async () => {
  work = temporaryDirectory();
  root = join(work.dir, "tiny-imagenet-200");
  WNIDS.forEach((wnid, c) => {
    for (let i = 0; i < 3; i++) {
      made[`train/${wnid}/images/${wnid}_${i}.JPEG`] = makeImage(10 * c + i, {
        height: 8,
        width: 8,
        smooth: true,
      });
    }
  });
  VAL.forEach(([file], i) => {
    made[`val/images/${file}`] = makeImage(100 + i, { height: 8, width: 8, smooth: true });
  });
  await writeTree(root, {
    ...made,
    "test/images/test_0.JPEG": makeImage(999, { height: 8, width: 8 }),
  });
  for (const wnid of WNIDS) {
    writeFileSync(join(root, "train", wnid, `${wnid}_boxes.txt`), `${wnid}_0.JPEG\t0\t0\t7\t7\n`);
  }
  writeFileSync(join(root, "wnids.txt"), `${WNIDS.join("\n")}\n`);
  writeFileSync(
    join(root, "words.txt"),
    Object.entries(WORDS)
      .map(([wnid, words]) => `${wnid}\t${words}`)
      .join("\n"),
  );
  writeFileSync(
    join(root, "val", "val_annotations.txt"),
    VAL.map(([file, wnid]) => `${file}\t${wnid}\t0\t0\t7\t7`).join("\n"),
  );
});
after(() => work.remove());

/** Mean absolute difference: JPEG is lossy. */
function assertClose(got: Uint8Array, expected: Uint8Array, what: string): void {
  const error = got.reduce((sum, value, i) => sum + Math.abs(value - (expected[i] as number)), 0);
  assert.ok(error / got.length <= 3, `${what}: mean error ${error / got.length}`);
}

test("a miniature Tiny-ImageNet loads: sorted wnids, words as names, val labels from val_annotations.txt", async () => {
  // The folder holding tiny-imagenet-200/ is accepted as well as the folder itself.
  for (const dir of [root, work.dir]) {
    const source = parseDatasetSource({ name: "tiny-imagenet", dir, size: 8 });
    const cacheDir = join(work.dir, "cache");
    await prepareDataset(source, { cacheDir, onNote: () => {} });
    const train = loadDataset(source, "train", { cacheDir });
    const test = loadDataset(source, "test", { cacheDir });
    assert.equal(train.name, "tiny-imagenet");
    assert.deepEqual([train.count, train.channels, train.height, train.width], [9, 3, 8, 8]);
    assert.equal(train.classes, 3);
    assert.deepEqual(
      train.classNames,
      SORTED.map((wnid) => WORDS[wnid]),
    );
    // Training images in class order (sorted wnids), each class's by file name.
    const trainFiles = SORTED.flatMap((wnid) =>
      [0, 1, 2].map((i) => ({ path: `train/${wnid}/images/${wnid}_${i}.JPEG`, wnid })),
    );
    trainFiles.forEach(({ path, wnid }, i) => {
      assert.equal(train.labels[i], SORTED.indexOf(wnid), path);
      assertClose(
        train.images.subarray(i * 192, (i + 1) * 192),
        channelMajor(made[path] as MadeImage),
        path,
      );
    });
    assert.equal(test.count, VAL.length);
    VAL.forEach(([file, wnid], i) => {
      assert.equal(test.labels[i], SORTED.indexOf(wnid), file);
      assertClose(
        test.images.subarray(i * 192, (i + 1) * 192),
        channelMajor(made[`val/images/${file}`] as MadeImage),
        file,
      );
    });
  }
});

test("Tiny-ImageNet's shape and class count are known without its files; names from words.txt", () => {
  const source = parseDatasetSource({ name: "tiny-imagenet", dir: "/nowhere" });
  assert.deepEqual(datasetInfo(source), {
    channels: 3,
    height: 64,
    width: 64,
    classes: 200,
    classNames: null,
  });
  assert.equal(datasetClassNames(source), null);
  assert.deepEqual(
    datasetClassNames(parseDatasetSource({ name: "tiny-imagenet", dir: root })),
    SORTED.map((wnid) => WORDS[wnid]),
  );
});

test("a missing Tiny-ImageNet or an unannotated val image is refused, naming the file", async () => {
  const cacheDir = join(work.dir, "cache-errors");
  await assert.rejects(
    prepareDataset(parseDatasetSource({ name: "tiny-imagenet", dir: join(work.dir, "none") }), {
      cacheDir,
    }),
    (error) => {
      assert.ok(error instanceof DatasetError);
      assert.equal(error.code, "missing-file");
      assert.match(error.message, /none\/wnids\.txt: file not found .*tiny-imagenet-200/);
      return true;
    },
  );
  const extra = join(root, "val", "images", "val_9.JPEG");
  await writeTree(root, { "val/images/val_9.JPEG": makeImage(5, { height: 8, width: 8 }) });
  try {
    await assert.rejects(
      prepareDataset(parseDatasetSource({ name: "tiny-imagenet", dir: root, size: 8 }), {
        cacheDir,
        onNote: () => {},
      }),
      (error) => {
        assert.ok(error instanceof DatasetError);
        assert.equal(error.file, extra);
        assert.match(error.message, /has no line in .*val_annotations\.txt/);
        return true;
      },
    );
  } finally {
    rmSync(extra);
  }
});
