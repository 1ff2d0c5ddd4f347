import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import onnxProto from "onnx-proto";
import { temporaryDirectory } from "../data/helpers.js";
import { makeImage, writeTree } from "../data/image-trees.js";
import { assertRefusals, runPemn } from "../helpers/run-pemn.js";

/**
 * `pemn train` on a folder of PNGs in 3 class folders (given out of order), then pack,
 * inspect, export and eval: the class count and names come from the folder everywhere.
 */
const CLASSES = ["ant", "cat", "dog"];

let work: ReturnType<typeof temporaryDirectory>;
let images: string;
let cacheBefore: string | undefined;
before(async () => {
  work = temporaryDirectory();
  images = join(work.dir, "images");
  const files: Record<string, ReturnType<typeof makeImage>> = {};
  ["dog", "cat", "ant"].forEach((name, c) => {
    for (let i = 0; i < 6; i++)
      files[`${name}/${i}.png`] = makeImage(10 * c + i, { height: 8, width: 8 });
  });
  await writeTree(images, files);
  cacheBefore = process.env.PEMN_DATA;
  // The decoded cache goes to the test's directory, not the user's.
  process.env.PEMN_DATA = join(work.dir, "cache");
});
after(() => {
  if (cacheBefore === undefined) delete process.env.PEMN_DATA;
  else process.env.PEMN_DATA = cacheBefore;
  work.remove();
});

const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));

test("pemn train --dataset folder: summary.json, config.json, the .pemn header and ONNX carry 3 classes and their names", async () => {
  const runDir = join(work.dir, "run");
  const trained = await runPemn(
    "train",
    ...["--dataset", "folder", "--data-dir", images, "--image-size", "8"],
    ...["--model", "mlp", "--hidden", "8", "--epochs", "1", "--batch-size", "5"],
    ...["--run-dir", runDir, "--progress", "none", "--json"],
  );
  assert.equal(trained.status, 0, trained.stderr);
  assert.match(trained.stderr, /decoding 18 images of .*images to 3x8x8/);
  const summary = json(join(runDir, "summary.json"));
  assert.equal(summary.dataset, "folder");
  assert.equal(summary.classes, 3);
  assert.deepEqual(summary.class_names, CLASSES);
  assert.equal(summary.model.classes, 3);
  assert.ok(summary.test_accuracy !== null);
  const config = json(join(runDir, "config.json"));
  assert.deepEqual(config.data.source.classes, CLASSES);
  assert.deepEqual(config.model.input, { channels: 3, height: 8, width: 8 });

  const model = join(work.dir, "model.pemn");
  const packed = await runPemn("pack", runDir, "-o", model);
  assert.equal(packed.status, 0, packed.stderr);
  const inspected = await runPemn("inspect", model, "--json");
  assert.equal(inspected.status, 0, inspected.stderr);
  assert.deepEqual(JSON.parse(inspected.stdout).dataset, { name: "folder", classNames: CLASSES });
  const shown = await runPemn("inspect", model);
  assert.match(shown.stdout, /dataset: +folder, 3 classes: ant, cat, dog/);

  const onnxFile = join(work.dir, "model.onnx");
  const exported = await runPemn("export", model, "--onnx", onnxFile);
  assert.equal(exported.status, 0, exported.stderr);
  const onnx = onnxProto.onnx.ModelProto.decode(readFileSync(onnxFile));
  const metadata = Object.fromEntries(onnx.metadataProps.map(({ key, value }) => [key, value]));
  assert.deepEqual(JSON.parse(metadata.class_names as string), CLASSES);

  // The file evaluates on the folder (the dataset, its classes, size and colour from the
  // file's record: --data-dir alone would otherwise mean Fashion-MNIST), and predicts what
  // the run's checkpoint predicts on the same test images.
  const fromFile = await runPemn("eval", model, "--data-dir", images, "--json");
  assert.equal(fromFile.status, 0, fromFile.stderr);
  const fromRun = await runPemn("eval", runDir, "--json");
  assert.equal(fromRun.status, 0, fromRun.stderr);
  const [file, run] = [JSON.parse(fromFile.stdout), JSON.parse(fromRun.stdout)];
  assert.equal(file.count, 3);
  assert.equal(file.accuracy, run.accuracy);
  assert.equal(file.accuracy, summary.test_accuracy);
  await assertRefusals([
    [
      ["eval", model],
      /model\.pemn was trained on folder \(its dataset record\): give its files' folder with --data-dir, or another dataset with --dataset/,
    ],
    // An explicit dataset still wins over the record.
    [
      ["eval", model, "--dataset", "mnist", "--data-dir", images],
      /the model takes 3x8x8 images in 3 classes, mnist has 1x28x28 in 10/,
    ],
  ]);
});

test("--data-dir alone means the default dataset; an unknown dataset lists the known ones", async () => {
  const runDir = join(work.dir, "default-run");
  const built = await runPemn(
    ...["train", "--model", "mlp", "--hidden", "8", "--epochs", "0"],
    ...["--data-dir", join(work.dir, "fashion"), "--run-dir", runDir, "--json"],
  );
  assert.equal(built.status, 0, built.stderr);
  assert.doesNotMatch(built.stderr, /discriminator/i);
  assert.equal(JSON.parse(built.stdout).dataset, "fashion-mnist");
  assert.equal(json(join(runDir, "config.json")).data.source.dir, join(work.dir, "fashion"));
  await assertRefusals([
    [
      ["train", "--dataset", "imagenet", "--data-dir", images, "--epochs", "0"],
      // The flag's choices come from the schema's dataset names.
      /'--dataset <name>' argument 'imagenet' is invalid\. Allowed choices are fashion-mnist, mnist, cifar10, cifar100, tiny-imagenet, folder/,
    ],
    [
      ["train", "--dataset", "folder", "--data-dir", join(images, "ant"), "--epochs", "0"],
      /holds no class folders; an image folder needs a folder per class/,
    ],
  ]);
});
