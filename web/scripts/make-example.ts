/**
 * Regenerates what the page ships in web/public: the example model (a small ConvMixer trained
 * by its masks alone on Fashion-MNIST, about a minute on 2 cores, packed to example.pemn) and
 * the first test image of each class as a PNG (samples/, listed in samples.json).
 *
 *   node --import tsx web/scripts/make-example.ts [--images-only]
 *
 * Training runs through the CLI (PEMN_THREADS, default 2); its run directory is temporary.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { CLASS_NAMES, loadDataset, parseDatasetSource } from "../../src/data/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const publicDir = join(root, "web/public");

/** The quickstart config made small: ConvMixer-64/4, RP with ratio 1e-3, one epoch on 20k images at a constant learning rate. */
const TRAIN_FLAGS = [
  ["--config", "configs/quickstart.yaml"],
  ["--dim", "64"],
  ["--depth", "4"],
  ["--epochs", "1"],
  ["--train-limit", "20000"],
  ["--schedule", "constant"],
].flat();

function pemn(args: readonly string[]): void {
  const result = spawnSync(process.execPath, [join(root, "bin/pemn.js"), ...args], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PEMN_THREADS: process.env.PEMN_THREADS ?? "2" },
  });
  if (result.status !== 0) throw new Error(`pemn ${args.join(" ")} failed`);
}

function makeModel(): void {
  const runDir = mkdtempSync(join(tmpdir(), "pemn-web-example-"));
  try {
    pemn(["train", ...TRAIN_FLAGS, "--run-dir", runDir, "--progress", "lines"]);
    pemn(["pack", runDir, "-o", join(publicDir, "example.pemn")]);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** The first test image of each class, from the Debian package's Fashion-MNIST test set. */
async function makeSamples(): Promise<void> {
  const test = loadDataset(parseDatasetSource({ name: "fashion-mnist" }), "test");
  const names = CLASS_NAMES["fashion-mnist"] as readonly string[];
  const size = test.height * test.width;
  const samples: { file: string; index: number; label: number }[] = [];
  mkdirSync(join(publicDir, "samples"), { recursive: true });
  for (let label = 0; label < names.length; label++) {
    const index = test.labels.indexOf(label);
    const file = `samples/${index}.png`;
    const pixels = test.images.subarray(index * size, (index + 1) * size);
    await sharp(Buffer.from(pixels), {
      raw: { width: test.width, height: test.height, channels: 1 },
    })
      .png()
      .toFile(join(publicDir, file));
    samples.push({ file, index, label });
  }
  writeFileSync(join(publicDir, "samples.json"), `${JSON.stringify(samples, null, 2)}\n`);
}

if (!process.argv.includes("--images-only")) makeModel();
await makeSamples();
