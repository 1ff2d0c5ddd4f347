import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { decodeModelBytes, encodePemn, inspectPemn } from "../../src/artifact/index.js";
import {
  DATASET_STATS,
  loadDataset,
  Normalizer,
  parseDatasetSource,
} from "../../src/data/index.js";
import { noGrad, tensor, tidy } from "../../src/engine/index.js";
import { createPemnModel, parseModelConfig } from "../../src/models/index.js";
import { MaskedWeight } from "../../src/nn/index.js";
import {
  buildDecodedModel,
  normTensors,
  packModel,
  type ValueMode,
} from "../../src/packing/index.js";
import { type StaticServer, startStaticServer } from "../../src/serve/static-server.js";
import { buildWebPage, WEB_DIR } from "../../src/serve/web-page.js";
import { parseWeightStrategy } from "../../src/weights/index.js";

/** Debian's chromium, launched as docs/web.md says (no network services, no sandbox as root). */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const ARTIFACTS = join(import.meta.dirname, "../../.test-artifacts");
// A copy: Buffer#slice would share the bytes that the corrupt-file test changes.
const EXAMPLE = new Uint8Array(readFileSync(join(WEB_DIR, "public/example.pemn")));
const PROBABILITY_TOLERANCE = 1e-4;

let site: string;
let server: StaticServer;
let browser: Browser;
let page: Page;

before(async () => {
  // A fresh build of the current sources, as from a clean clone (web/dist is not used).
  site = mkdtempSync(join(tmpdir(), "pemn-web-test-"));
  await buildWebPage(site);
  server = await startStaticServer(site, { port: 0, host: "127.0.0.1" });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (error) => {
    throw error;
  });
  await page.goto(server.url);
  await waitForModel("example.pemn");
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(site, { recursive: true, force: true });
});

async function waitForModel(name: string): Promise<void> {
  await page.waitForSelector(`#status[data-state="ready"][data-file="${name}"]`, {
    timeout: 20_000,
  });
}

/** Opens a file through the page's file picker, as a person would. */
async function openInPage(name: string, bytes: Uint8Array): Promise<void> {
  await page.setInputFiles("#file-input", {
    name,
    mimeType: "application/octet-stream",
    buffer: Buffer.from(bytes),
  });
}

/** Drops a file on the page, as dragging it from a file manager does. */
async function dropOnPage(name: string, bytes: Uint8Array): Promise<void> {
  const transfer = await page.evaluateHandle(
    ({ name, data }) => {
      const browser = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: unknown[], name: string) => unknown;
      };
      const transfer = new browser.DataTransfer();
      transfer.items.add(new browser.File([Uint8Array.from(data)], name));
      return transfer;
    },
    { name, data: [...bytes] },
  );
  await page.dispatchEvent("body", "dragover", { dataTransfer: transfer });
  await page.dispatchEvent("body", "drop", { dataTransfer: transfer });
}

/** Draws two strokes on the pad with the mouse (the legs of a pair of trousers). */
async function drawStroke(): Promise<void> {
  const pad = await page.$("#pad");
  assert.ok(pad, "the pad is on the page");
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  assert.ok(box, "the pad is shown");
  for (const x of [0.4, 0.6]) {
    await page.mouse.move(box.x + 0.5 * box.width, box.y + 0.15 * box.height);
    await page.mouse.down();
    await page.mouse.move(box.x + x * box.width, box.y + 0.85 * box.height, { steps: 8 });
    await page.mouse.up();
  }
}

function valueAt(object: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], object);
}

test("the page shows the example model's size figures as pemn inspect gives them", async () => {
  const expected = inspectPemn(EXAMPLE);
  const shown = await page.$$eval("[data-figure]", (nodes) =>
    nodes.map((node) => [node.getAttribute("data-figure"), node.getAttribute("data-value")]),
  );
  const paths = new Set(shown.map(([path]) => path));
  for (const path of [
    "totalBytes",
    "maskedWeights",
    "keptWeights",
    "uniqueValues",
    "parts.framing.bytes",
    "parts.header.bytes",
    "parts.values.bytes",
    "parts.masks.bytes",
    "parts.norms.bytes",
    "bitsPerMaskedWeight.withNorms",
    "compression.file.withNorms.compressionRatio",
    "pruned.sameAsFile.keptWeights",
    `layers.${expected.layers.length - 1}.bytes`,
  ]) {
    assert.ok(paths.has(path), `the page shows ${path}`);
  }
  for (const [path, value] of shown) {
    assert.equal(Number(value), valueAt(expected, path as string), path);
  }
  const parts = Object.values(expected.parts).reduce((sum, part) => sum + part.bytes, 0);
  assert.equal(parts, EXAMPLE.length, "the parts add up to the file");
  // The chart's bars: the file; dense float32 (4 bytes per weight and norm element); the
  // pruned network in the file's bits without norms, plus the same norms.
  const bars = Object.fromEntries(
    await page.$$eval("[data-bar]", (groups) =>
      groups.map((group) => [
        group.getAttribute("data-bar"),
        [...group.querySelectorAll("[data-bytes]")].map((rect) =>
          Number(rect.getAttribute("data-bytes")),
        ),
      ]),
    ),
  ) as Record<string, number[]>;
  const { parts: file, pruned } = expected;
  assert.deepEqual(bars.file, [
    file.framing.bytes,
    file.header.bytes,
    file.values.bytes,
    file.masks.bytes,
    file.norms.bytes,
  ]);
  assert.deepEqual(bars.dense, [
    4 * expected.maskedWeights,
    4 * (expected.normParameters + expected.normRunningStatistics),
  ]);
  assert.deepEqual(bars.pruned, [
    (32 * pruned.sameAsFile.keptWeights) / 8,
    (2 * pruned.indexBits * pruned.sameAsFile.keptWeights) / 8,
    file.norms.bytes,
  ]);
});

const HASH_MODEL = parseModelConfig({
  name: "mlp",
  hidden: [24, 24, 24],
  input: { channels: 1, height: 28, width: 28 },
  classes: 10,
});
const STRATEGIES = [
  { kind: "mask" },
  { kind: "one-layer" },
  { kind: "mp" },
  { kind: "rp", ratio: 0.05, order: "copy" },
  { kind: "rp", ratio: 0.05, order: "rand" },
  // Trained values, packed as levels and scales whatever the value mode (docs/baselines.md).
  { kind: "quantized", bits: 8 },
  { kind: "quantized", bits: 4 },
  { kind: "binary" },
].map(parseWeightStrategy);

const sha256 = (values: Float32Array) =>
  createHash("sha256")
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest("hex");

test("the page regenerates every strategy's weights bit for bit, seeded or stored", async () => {
  for (const [index, strategy] of STRATEGIES.entries()) {
    const spec = { model: HASH_MODEL, strategy, keepFraction: 0.4, seed: 100 + index };
    const { model } = createPemnModel(spec);
    try {
      // Node's reference: the engine's own effective weights W * M and trained tensors.
      const expected: Record<string, string> = {};
      for (const [name, module] of model.namedModules()) {
        if (module instanceof MaskedWeight) {
          const values = tidy(() => module.effective().toArray<"float32">());
          expected[name.replace(/\.weight$/, "")] = sha256(values);
        }
      }
      for (const [name, value] of normTensors(model)) {
        expected[name] = sha256(value.toArray<"float32">());
      }
      for (const values of ["seed", "stored"] as ValueMode[]) {
        const variant =
          "order" in strategy ? strategy.order : "bits" in strategy ? `${strategy.bits}` : "-";
        const file = `${strategy.kind}-${variant}-${values}.pemn`;
        await openInPage(
          file,
          encodePemn(packModel(model.eval(), spec, { values, norms: "fp32" })),
        );
        await waitForModel(file);
        const hashes = await page.evaluate(() =>
          (
            globalThis as unknown as {
              pemnPage: { tensorHashes(): Promise<Record<string, string>> };
            }
          ).pemnPage.tensorHashes(),
        );
        assert.deepEqual(hashes, expected, file);
      }
    } finally {
      model.dispose();
    }
  }
});

test("the page decodes folded BatchNorms and int8 norm tensors bit for bit as Node does", async () => {
  const spec = {
    model: HASH_MODEL,
    strategy: parseWeightStrategy({ kind: "mask" }),
    keepFraction: 0.4,
    seed: 7,
  };
  const { model } = createPemnModel(spec);
  try {
    const bytes = encodePemn(
      packModel(model.eval(), spec, { values: "seed", norms: "int8", foldNorms: true }),
    );
    // Node's reference: the pure decoder's tensors (the unfolded norms, the int8 products).
    const decoded = decodeModelBytes(bytes);
    const expected: Record<string, string> = {};
    for (const [name, tensor] of [...decoded.maskedWeights, ...decoded.normTensors]) {
      expected[name] = sha256(tensor.values);
    }
    await openInPage("folded-int8.pemn", bytes);
    await waitForModel("folded-int8.pemn");
    const hashes = await page.evaluate(() =>
      (
        globalThis as unknown as {
          pemnPage: { tensorHashes(): Promise<Record<string, string>> };
        }
      ).pemnPage.tensorHashes(),
    );
    assert.deepEqual(hashes, expected);
  } finally {
    model.dispose();
  }
});

interface Sample {
  readonly file: string;
  readonly index: number;
  readonly label: number;
}

/** Softmax in float64 of each row of `logits`. */
function softmaxRows(logits: Float32Array, classes: number): number[][] {
  return Array.from({ length: logits.length / classes }, (_, row) => {
    const values = Array.from(logits.subarray(row * classes, (row + 1) * classes));
    const largest = Math.max(...values);
    const exponentials = values.map((value) => Math.exp(value - largest));
    const sum = exponentials.reduce((total, value) => total + value, 0);
    return exponentials.map((value) => value / sum);
  });
}

test("the page classifies the shipped test images as the engine does in Node", async (t) => {
  await openInPage("example.pemn", EXAMPLE);
  await waitForModel("example.pemn");
  const samples = JSON.parse(
    readFileSync(join(WEB_DIR, "public/samples.json"), "utf8"),
  ) as Sample[];
  assert.ok(samples.length >= 6, "a few test images ship with the page");
  // The engine's model of the decoded file, on the test set's own pixels (not the PNGs).
  const test10k = loadDataset(parseDatasetSource({ name: "fashion-mnist" }), "test");
  const size = test10k.height * test10k.width;
  const pixels = new Uint8Array(samples.length * size);
  samples.forEach((sample, row) => {
    assert.equal(test10k.labels[sample.index], sample.label, `test image ${sample.index}'s label`);
    pixels.set(test10k.images.subarray(sample.index * size, (sample.index + 1) * size), row * size);
  });
  const input = new Normalizer(DATASET_STATS["fashion-mnist"], test10k).normalizeImages(pixels);
  const model = buildDecodedModel(decodeModelBytes(EXAMPLE));
  let expected: number[][];
  try {
    const logits = noGrad(() =>
      tidy(() => model.forward(tensor(input, [samples.length, 1, 28, 28])).toArray<"float32">()),
    );
    expected = softmaxRows(logits, 10);
  } finally {
    model.dispose();
  }
  let correct = 0;
  let largestDifference = 0;
  for (const [row, sample] of samples.entries()) {
    await page.click(`#samples button[data-index="${sample.index}"]`);
    const prediction = await page.waitForSelector(
      `#prediction[data-source="sample:${sample.index}"]`,
    );
    const shown = JSON.parse(
      (await prediction.getAttribute("data-probabilities")) as string,
    ) as number[];
    const want = expected[row] as number[];
    const wantClass = want.indexOf(Math.max(...want));
    assert.equal(Number(await prediction.getAttribute("data-class")), wantClass, sample.file);
    const difference = Math.max(...shown.map((p, i) => Math.abs(p - (want[i] as number))));
    largestDifference = Math.max(largestDifference, difference);
    assert.ok(
      difference <= PROBABILITY_TOLERANCE,
      `${sample.file}: probabilities differ by ${difference}`,
    );
    if (wantClass === sample.label) correct++;
  }
  t.diagnostic(
    `${correct} of ${samples.length} right; largest probability difference ${largestDifference.toExponential(2)}`,
  );
  // Fed as the example's ONNX metadata says, from the file's own dataset record.
  assert.deepEqual(
    await page.$eval("#classify-input", (node) =>
      Object.fromEntries(
        ["dataset", "mean", "std", "recorded"].map((key) => [
          key,
          node.getAttribute(`data-${key}`),
        ]),
      ),
    ),
    { dataset: "fashion-mnist", mean: "[0.286]", std: "[0.353]", recorded: "true" },
  );
  assert.ok(
    correct >= samples.length / 2,
    `the example model gets ${correct} of ${samples.length} right`,
  );
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.click(`#samples button[data-index="${(samples[1] as Sample).index}"]`);
  await page.waitForSelector(`#prediction[data-source="sample:${(samples[1] as Sample).index}"]`);
  await page.screenshot({ path: join(ARTIFACTS, "web-page.png"), fullPage: true });
});

test("a corrupt, truncated or unsupported file gets a message in words; a good one dropped after works", async () => {
  const damaged = EXAMPLE.slice();
  const middle = Math.floor(damaged.length / 2);
  damaged[middle] = (damaged[middle] as number) ^ 0x40;
  const future = EXAMPLE.slice();
  new DataView(future.buffer, future.byteOffset).setUint32(8, 2, true);
  const cases: [string, Uint8Array, RegExp][] = [
    ["damaged.pemn", damaged, /damaged.*checksum-mismatch/s],
    ["cut.pemn", EXAMPLE.subarray(0, 500), /cut short.*truncated/s],
    ["future.pemn", future, /format version this page cannot read.*unsupported-version/s],
    [
      "photo.pemn",
      new TextEncoder().encode("not a pemn file at all"),
      /not a \.pemn file.*bad-magic/s,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    await openInPage(name, bytes);
    const error = await page.waitForSelector("#error:not([hidden])");
    const text = (await error.textContent()) as string;
    assert.match(text, new RegExp(`Could not open ${name.replace(".", "\\.")}`));
    assert.match(text, message);
    await dropOnPage("example.pemn", EXAMPLE);
    await waitForModel("example.pemn");
    assert.equal(
      await page.isHidden("#error"),
      true,
      `${name}: the error goes once a good file opens`,
    );
  }
  await page.click("#clear");
  await page.waitForSelector('#prediction[data-source="blank"]');
  await drawStroke();
  await page.waitForSelector('#prediction[data-source="drawing"]');
  mkdirSync(ARTIFACTS, { recursive: true });
  await openInPage("damaged.pemn", damaged);
  await page.waitForSelector("#error:not([hidden])");
  await page.screenshot({ path: join(ARTIFACTS, "web-page-error.png") });
});

test("the page names a model's classes as its file does (an image folder's folders)", async () => {
  const spec = {
    model: parseModelConfig({
      name: "mlp",
      hidden: [16],
      input: { channels: 1, height: 28, width: 28 },
      classes: 3,
    }),
    strategy: parseWeightStrategy({ kind: "mask" }),
    keepFraction: 0.5,
    seed: 9,
  };
  const { model } = createPemnModel(spec);
  let bytes: Uint8Array;
  try {
    bytes = encodePemn({
      ...packModel(model.eval(), spec, { values: "seed", norms: "fp32" }),
      dataset: { name: "folder", classNames: ["ant", "cat", "dog"] },
    });
  } finally {
    model.dispose();
  }
  await openInPage("folder.pemn", bytes);
  await waitForModel("folder.pemn");
  assert.match(
    (await page.textContent("#summary")) ?? "",
    /Trained onfolder, 3 classes: ant, cat, dog/,
  );
  const samples = JSON.parse(
    readFileSync(join(WEB_DIR, "public/samples.json"), "utf8"),
  ) as Sample[];
  const sample = samples[0] as Sample;
  await page.click(`#samples button[data-index="${sample.index}"]`);
  await page.waitForSelector(`#prediction[data-source="sample:${sample.index}"]`);
  assert.deepEqual(
    await page.$$eval("#probabilities .class-name", (nodes) =>
      nodes.map((node) => node.textContent),
    ),
    ["ant", "cat", "dog"],
  );
  await openInPage("example.pemn", EXAMPLE);
  await waitForModel("example.pemn");
});
