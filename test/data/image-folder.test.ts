import assert from "node:assert/strict";
import { mkdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DatasetError } from "../../src/data/dataset-error.js";
import {
  type DatasetSource,
  listImageSource,
  loadDataset,
  parseDatasetSource,
  prepareDataset,
  prepareImageDataset,
} from "../../src/data/index.js";
import { temporaryDirectory } from "./helpers.js";
import { channelMajor, type MadeImage, makeImage, writeTree } from "./image-trees.js";

let work: ReturnType<typeof temporaryDirectory>;
before(() => {
  work = temporaryDirectory();
});
after(() => work.remove());

let folders = 0;
/** A fresh folder under the test's directory, and a cache directory of its own. */
function fresh(): { dir: string; cacheDir: string } {
  folders++;
  return { dir: join(work.dir, `tree-${folders}`), cacheDir: join(work.dir, `cache-${folders}`) };
}

/** 3 classes, given out of order, `perClass` PNG images each of 6 x 8 random RGB pixels. */
function threeClasses(perClass: number, prefix = ""): Record<string, MadeImage> {
  const files: Record<string, MadeImage> = {};
  ["dog", "ant", "cat"].forEach((name, c) => {
    for (let i = 0; i < perClass; i++)
      files[`${prefix}${name}/img-${i}.png`] = makeImage(100 * c + i);
  });
  return files;
}

/** The class of a path: its first folder (below `prefix`), by index among the sorted names. */
function expectedLabel(path: string, prefix = ""): number {
  return ["ant", "cat", "dog"].indexOf(path.slice(prefix.length).split("/")[0] as string);
}

const folder = (dir: string, extra: Record<string, unknown> = {}): DatasetSource =>
  parseDatasetSource({ name: "folder", dir, size: [6, 8], ...extra });

/** Each image of `split` is the file's pixels (exactly), labelled by its class folder. */
function assertSplitMatches(
  source: DatasetSource,
  cacheDir: string,
  split: "train" | "test",
  made: Record<string, MadeImage>,
  prefix = "",
): number {
  const dataset = loadDataset(source, split, { cacheDir });
  const listing = listImageSource(source as Extract<DatasetSource, { name: "folder" }>);
  const indices = listing.splits[split];
  assert.equal(dataset.count, indices.length);
  assert.deepEqual([dataset.channels, dataset.height, dataset.width], [3, 6, 8]);
  assert.equal(dataset.classes, 3);
  assert.deepEqual(dataset.classNames, ["ant", "cat", "dog"]);
  for (let i = 0; i < dataset.count; i++) {
    const file = listing.files[indices[i] as number];
    assert.ok(file);
    const relative = file.relative;
    const image = made[relative];
    assert.ok(image, `unexpected file ${relative}`);
    assert.deepEqual(dataset.images.subarray(i * 144, (i + 1) * 144), channelMajor(image));
    assert.equal(dataset.labels[i], expectedLabel(relative, prefix), relative);
  }
  return dataset.count;
}

test("a folder of PNG class folders: exact pixels, classes by sorted name, a seeded split", async () => {
  const { dir, cacheDir } = fresh();
  const made = await writeTree(dir, threeClasses(5));
  const source = folder(dir);
  const notes: string[] = [];
  const prepared = await prepareImageDataset(source as Extract<DatasetSource, { name: "folder" }>, {
    cacheDir,
    onNote: (line) => notes.push(line),
  });
  assert.equal(prepared.decoded, 15);
  assert.ok(prepared.cacheFile.startsWith(join(cacheDir, "decoded")));
  const train = assertSplitMatches(source, cacheDir, "train", made);
  const tested = assertSplitMatches(source, cacheDir, "test", made);
  // round(5 x 0.2) = 1 image of each class is held out.
  assert.equal(tested, 3);
  assert.equal(train + tested, 15);
  const testSet = loadDataset(source, "test", { cacheDir });
  assert.deepEqual([...testSet.labels].sort(), [0, 1, 2]);
});

test("the seeded split is reproducible, disjoint and covers every image; splitSeed changes it", async () => {
  const { dir } = fresh();
  await writeTree(dir, threeClasses(10));
  const split = (extra: Record<string, unknown>) => {
    const listing = listImageSource(
      folder(dir, extra) as Extract<DatasetSource, { name: "folder" }>,
    );
    const name = (index: number) => listing.files[index]?.relative as string;
    return { train: [...listing.splits.train].map(name), test: [...listing.splits.test].map(name) };
  };
  const first = split({});
  assert.deepEqual(split({}), first);
  assert.equal(new Set([...first.train, ...first.test]).size, 30);
  assert.equal(first.train.length + first.test.length, 30);
  for (const name of ["ant", "cat", "dog"]) {
    assert.equal(first.test.filter((path) => path.startsWith(`${name}/`)).length, 2);
  }
  assert.notDeepEqual(split({ splitSeed: 1 }).test, first.test);
  const half = split({ testFraction: 0.5 });
  assert.equal(half.test.length, 15);
});

test("train/ and val/ subfolders are the splits; test/ when there is no val/", async () => {
  for (const testName of ["val", "test"]) {
    const { dir, cacheDir } = fresh();
    const made = {
      ...(await writeTree(dir, threeClasses(3, "train/"))),
      ...(await writeTree(
        dir,
        Object.fromEntries(
          Object.entries(threeClasses(2, `${testName}/`)).map(([path]) => [
            path,
            makeImage(path.length * 7 + 1000 + path.charCodeAt(path.length - 5)),
          ]),
        ),
      )),
    };
    const source = folder(dir);
    await prepareDataset(source, { cacheDir, onNote: () => {} });
    const listing = listImageSource(source as Extract<DatasetSource, { name: "folder" }>);
    assert.ok(
      [...listing.splits.train].every((i) => listing.files[i]?.relative.startsWith("train/")),
    );
    assert.ok(
      [...listing.splits.test].every((i) => listing.files[i]?.relative.startsWith(`${testName}/`)),
    );
    assert.equal(assertSplitMatches(source, cacheDir, "train", made, "train/"), 9);
    assert.equal(assertSplitMatches(source, cacheDir, "test", made, `${testName}/`), 6);
  }
});

test("JPEG and WebP decode (JPEG within tolerance), resized to the size asked for, in grey", async () => {
  const { dir, cacheDir } = fresh();
  const images: Record<string, MadeImage> = {
    "a/one.jpg": makeImage(1, { smooth: true }),
    "a/two.JPEG": makeImage(2, { smooth: true }),
    "b/one.webp": makeImage(3),
    "b/two.png": makeImage(4, { channels: 1 }),
    "c/one.jpeg": makeImage(5, { smooth: true }),
    "c/two.png": makeImage(6),
  };
  await writeTree(dir, images);
  const source = folder(dir, { testFraction: 0.5 });
  await prepareDataset(source, { cacheDir, onNote: () => {} });
  const listing = listImageSource(source as Extract<DatasetSource, { name: "folder" }>);
  const all = Uint8Array.from([
    ...loadDataset(source, "train", { cacheDir }).images,
    ...loadDataset(source, "test", { cacheDir }).images,
  ]);
  const order = [...listing.splits.train, ...listing.splits.test];
  order.forEach((index, i) => {
    const file = listing.files[index];
    assert.ok(file);
    const made = images[file.relative] as MadeImage;
    // A grey PNG is repeated to 3 channels.
    const rgb =
      made.channels === 3
        ? made
        : {
            ...made,
            channels: 3 as const,
            pixels: Uint8Array.from(
              { length: 144 },
              (_, v) => made.pixels[Math.floor(v / 3)] as number,
            ),
          };
    const expected = channelMajor(rgb);
    const got = all.slice(i * 144, (i + 1) * 144);
    if (/\.jpe?g$/i.test(file.relative)) {
      const errors = got.map((value, v) => Math.abs(value - (expected[v] as number)));
      assert.ok(Math.max(...errors) <= 12, `${file.relative}: max error ${Math.max(...errors)}`);
      assert.ok(errors.reduce((a, b) => a + b) / errors.length <= 3, file.relative);
    } else {
      assert.deepEqual(got, expected, file.relative);
    }
  });

  const grey = folder(dir, { size: 4, color: "gray", testFraction: 0.5 });
  await prepareDataset(grey, { cacheDir, onNote: () => {} });
  const small = loadDataset(grey, "train", { cacheDir });
  assert.deepEqual([small.channels, small.height, small.width], [1, 4, 4]);
  assert.equal(small.images.length, small.count * 16);
});

test("a corrupt image is named in the error; nothing is cached", async () => {
  const { dir, cacheDir } = fresh();
  await writeTree(dir, threeClasses(2));
  const bad = join(dir, "cat", "broken.png");
  writeFileSync(bad, Buffer.from("\x89PNG\r\n\x1a\n not really a png"));
  await assert.rejects(prepareDataset(folder(dir), { cacheDir, onNote: () => {} }), (error) => {
    assert.ok(error instanceof DatasetError);
    assert.equal(error.code, "bad-image");
    assert.equal(error.file, bad);
    assert.match(error.message, /cat\/broken\.png: cannot decode this image/);
    return true;
  });
  assert.throws(() => loadDataset(folder(dir), "train", { cacheDir }), { code: "not-prepared" });
});

test("an empty class is refused, naming it; a class of one folder needs a second", async () => {
  const { dir, cacheDir } = fresh();
  await writeTree(dir, threeClasses(2));
  const empty = join(dir, "emu");
  writeFileSync(join(dir, "dog", "notes.txt"), "not an image");
  mkdirSync(empty);
  writeFileSync(join(empty, "readme.md"), "no images here");
  await assert.rejects(prepareDataset(folder(dir), { cacheDir, onNote: () => {} }), (error) => {
    assert.ok(error instanceof DatasetError);
    assert.equal(error.code, "empty-class");
    assert.match(error.message, /emu: class "emu" holds no PNG, JPEG or WebP image/);
    return true;
  });
  const single = fresh();
  await writeTree(single.dir, { "only/a.png": makeImage(1) });
  assert.throws(() => listImageSource(folder(single.dir) as never), {
    code: "bad-layout",
    message: /one class folder \(only\)/,
  });
});

test("images in nested folders belong to their class folder; other files are ignored with one note", async () => {
  const { dir, cacheDir } = fresh();
  const made = await writeTree(dir, {
    ...threeClasses(2),
    "ant/deeper/still/img-9.png": makeImage(900),
    "dog/sub/img-8.png": makeImage(800),
  });
  writeFileSync(join(dir, "ant", "labels.csv"), "x");
  writeFileSync(join(dir, "cat", "deeper.txt"), "x");
  writeFileSync(join(dir, "README"), "x");
  writeFileSync(join(dir, ".hidden.png"), "x");
  const notes: string[] = [];
  const source = folder(dir, { testFraction: 0.3 });
  await prepareDataset(source, { cacheDir, onNote: (line) => notes.push(line) });
  const ignoredNotes = notes.filter((line) => line.startsWith("ignored"));
  assert.equal(ignoredNotes.length, 1);
  assert.match(
    ignoredNotes[0] as string,
    /^ignored 3 files that are not a PNG, JPEG or WebP image/,
  );
  assert.match(ignoredNotes[0] as string, /labels\.csv/);
  const counted =
    assertSplitMatches(source, cacheDir, "train", made) +
    assertSplitMatches(source, cacheDir, "test", made);
  assert.equal(counted, 8);
});

test("the second load reads no image: the cache is keyed by paths, sizes and times", async () => {
  const { dir, cacheDir } = fresh();
  const made = await writeTree(dir, threeClasses(3));
  // Whole seconds, so that setting them back below restores them exactly.
  const time = new Date("2026-01-02T03:04:05Z");
  for (const path of Object.keys(made)) utimesSync(join(dir, path), time, time);
  const source = folder(dir);
  assert.equal(
    (await prepareImageDataset(source as never, { cacheDir, onNote: () => {} })).decoded,
    9,
  );
  // Every image replaced by garbage of the same length and the same times: a decoder reading
  // them would fail, so only the cache can give the right pixels.
  for (const path of Object.keys(made)) {
    const file = join(dir, path);
    writeFileSync(file, Buffer.alloc(statSync(file).size, 0x55));
    utimesSync(file, time, time);
  }
  const notes: string[] = [];
  const again = await prepareImageDataset(source as never, {
    cacheDir,
    onNote: (line) => notes.push(line),
  });
  assert.equal(again.decoded, 0);
  assert.deepEqual(notes, []);
  assertSplitMatches(source, cacheDir, "train", made);
  assertSplitMatches(source, cacheDir, "test", made);
  // A touched file is a new key: it is decoded again (and this one no longer decodes).
  utimesSync(join(dir, "ant", "img-0.png"), new Date(), new Date(Date.now() + 5000));
  await assert.rejects(prepareDataset(source, { cacheDir, onNote: () => {} }), {
    code: "bad-image",
  });
  // Another size is another key too.
  await assert.rejects(prepareDataset(folder(dir, { size: 3 }), { cacheDir, onNote: () => {} }), {
    code: "bad-image",
  });
});

test("decoded images that would not fit in memory are refused before decoding", async () => {
  const { dir, cacheDir } = fresh();
  await writeTree(dir, threeClasses(2));
  await assert.rejects(
    prepareDataset(folder(dir, { testFraction: 0.5 }), {
      cacheDir,
      availableBytes: 800,
      onNote: () => {},
    }),
    (error) => {
      assert.ok(error instanceof DatasetError);
      assert.equal(error.code, "too-large");
      assert.match(
        error.message,
        /6 images of 3x6x8 take 864 bytes decoded, more than the 800 bytes/,
      );
      return true;
    },
  );
});

test("a config's classes choose and order the class folders", async () => {
  const { dir, cacheDir } = fresh();
  await writeTree(dir, threeClasses(2));
  const source = folder(dir, { classes: ["dog", "ant"], testFraction: 0.5 });
  const notes: string[] = [];
  await prepareDataset(source, { cacheDir, onNote: (line) => notes.push(line) });
  assert.match(
    notes.join("\n"),
    /left out 1 folder of .* that the config's classes do not name: cat/,
  );
  const train = loadDataset(source, "train", { cacheDir });
  assert.equal(train.classes, 2);
  assert.deepEqual(train.classNames, ["dog", "ant"]);
  const listing = listImageSource(source as Extract<DatasetSource, { name: "folder" }>);
  listing.files.forEach((file, index) => {
    assert.equal(listing.labels[index], file.relative.startsWith("dog/") ? 0 : 1);
  });
  assert.throws(() => listImageSource(folder(dir, { classes: ["dog", "emu"] }) as never), {
    code: "missing-file",
    message: /class folder "emu" not found/,
  });
});

test("color gray keeps a grey PNG's pixels exactly, one channel", async () => {
  const { dir, cacheDir } = fresh();
  const made: Record<string, MadeImage> = {};
  for (const [c, name] of ["x", "y"].entries()) {
    for (let i = 0; i < 2; i++) made[`${name}/${i}.png`] = makeImage(10 * c + i, { channels: 1 });
  }
  await writeTree(dir, made);
  const source = folder(dir, { color: "gray", testFraction: 0.5 });
  await prepareDataset(source, { cacheDir, onNote: () => {} });
  const listing = listImageSource(source as never);
  for (const split of ["train", "test"] as const) {
    const dataset = loadDataset(source, split, { cacheDir });
    assert.equal(dataset.channels, 1);
    [...listing.splits[split]].forEach((index, i) => {
      const file = listing.files[index];
      assert.ok(file);
      assert.deepEqual(
        dataset.images.subarray(i * 48, (i + 1) * 48),
        (made[file.relative] as MadeImage).pixels,
      );
    });
  }
});
