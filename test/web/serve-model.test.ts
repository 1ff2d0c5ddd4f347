import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { encodePemn, inspectPemn } from "../../src/artifact/index.js";
import { builtInDatasetRecord } from "../../src/data/index.js";
import { createPemnModel, parseModelConfig } from "../../src/models/index.js";
import { packModel } from "../../src/packing/index.js";
import { buildWebPage } from "../../src/serve/web-page.js";
import { parseWeightStrategy } from "../../src/weights/index.js";
import { PEMN_BIN } from "../helpers/run-pemn.js";

/** `pemn serve <page> model.pemn` and `?model=`: the page opens the given file, not its example. */

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const ARTIFACTS = join(import.meta.dirname, "../../.test-artifacts");

let work: string;
let site: string;
let browser: Browser;
let page: Page;

/** An MNIST-shaped MLP (not the example's ConvMixer), recording its data unless told not to. */
function packedModel(recordData: boolean): Uint8Array {
  const spec = {
    model: parseModelConfig({
      name: "mlp",
      hidden: [48, 24],
      input: { channels: 1, height: 28, width: 28 },
      classes: 10,
    }),
    strategy: parseWeightStrategy({ kind: "rp", ratio: 0.01, order: "copy" }),
    keepFraction: 0.3,
    seed: 21,
  };
  const { model } = createPemnModel(spec);
  try {
    const contents = packModel(model.eval(), spec, { values: "seed", norms: "fp16" });
    return encodePemn(
      recordData ? { ...contents, dataset: builtInDatasetRecord("mnist") } : contents,
    );
  } finally {
    model.dispose();
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "pemn-serve-model-"));
  site = join(work, "site");
  await buildWebPage(site);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (error) => {
    throw error;
  });
});

after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Starts `pemn serve ...args`; resolves with the process and the lines it printed. */
function serve(...args: string[]): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, [PEMN_BIN, "serve", ...args], { stdio: "pipe" });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const lines = output.split("\n");
      if (lines.some((line) => line.includes("?model="))) resolve({ child, lines });
    });
    child.once("exit", (code) => reject(new Error(`pemn serve exited with ${code}: ${output}`)));
  });
}

async function waitForModel(name: string): Promise<void> {
  await page.waitForSelector(`#status[data-state="ready"][data-file="${name}"]`, {
    timeout: 30_000,
  });
}

function valueAt(object: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], object);
}

test("pemn serve <page> model.pemn: the page opens that file and shows its figures, classes and normalisation", async () => {
  const bytes = packedModel(true);
  const file = join(work, "my-mlp.pemn");
  writeFileSync(file, bytes);
  const { child, lines } = await serve(file, site, "--port", "0");
  try {
    const url = /at (http:\/\/\S+) /.exec(lines[0] as string)?.[1] as string;
    assert.match(
      lines[1] as string,
      new RegExp(
        `my-mlp\\.pemn is served as ${url}model\\.pemn; the page opens it at ${url.replace(/\./g, "\\.")}\\?model=model\\.pemn`,
      ),
    );
    await page.goto(`${url}?model=model.pemn`);
    await waitForModel("model.pemn");

    const expected = inspectPemn(bytes);
    const shown = await page.$$eval("[data-figure]", (nodes) =>
      nodes.map((node) => [node.getAttribute("data-figure"), node.getAttribute("data-value")]),
    );
    assert.ok(shown.length >= 12, `${shown.length} figures shown`);
    for (const [path, value] of shown) {
      assert.equal(Number(value), valueAt(expected, path as string), path);
    }
    assert.equal(
      await page.$eval("[data-figure=totalBytes]", (node) => node.getAttribute("data-value")),
      String(bytes.length),
    );
    assert.match((await page.textContent("#summary")) as string, /mlp.*hidden \[48,24\]/s);
    assert.match(
      (await page.textContent("#summary")) as string,
      /Trained on\s*mnist, 10 classes: 0, 1, 2/,
    );

    // Classified as the model's ONNX metadata says: MNIST's normalisation and class names.
    await page.click("#samples button:first-child");
    await page.waitForSelector('#prediction[data-source^="sample:"]');
    const input = await page.$eval("#classify-input", (node) =>
      Object.fromEntries(
        ["dataset", "mean", "std", "recorded"].map((key) => [
          key,
          node.getAttribute(`data-${key}`),
        ]),
      ),
    );
    assert.deepEqual(input, {
      dataset: "mnist",
      mean: "[0.1307]",
      std: "[0.3081]",
      recorded: "true",
    });
    assert.deepEqual(
      await page.$$eval("#probabilities .class-name", (nodes) =>
        nodes.map((node) => node.textContent),
      ),
      ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    );
    // The shipped images are Fashion-MNIST's: no right-or-wrong mark for an MNIST model.
    assert.doesNotMatch((await page.textContent("#truth")) as string, /[✓✗]/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "web-page-served-model.png"), fullPage: true });
  } finally {
    child.kill();
  }
});

test("a file that records no data is fed as Fashion-MNIST was, and the page says so; a bad ?model= is an error in words", async () => {
  const file = join(work, "old.pemn");
  writeFileSync(file, packedModel(false));
  const { child, lines } = await serve(site, file, "--port", "0");
  try {
    const url = /at (http:\/\/\S+) /.exec(lines[0] as string)?.[1] as string;
    await page.goto(`${url}?model=model.pemn`);
    await waitForModel("model.pemn");
    await page.click("#samples button:first-child");
    await page.waitForSelector('#prediction[data-source^="sample:"]');
    assert.equal(await page.getAttribute("#classify-input", "data-recorded"), "false");
    assert.match(
      (await page.textContent("#classify-input")) as string,
      /does not say how its inputs were normalised .* assumes fashion-mnist's/,
    );
    assert.doesNotMatch((await page.textContent("#summary")) as string, /Trained on/);

    for (const [query, pattern] of [
      ["missing.pemn", /Could not open missing\.pemn\..*the server answered 404/s],
      ["javascript:alert(1)", /must be an http or https address, not javascript:/],
    ] as const) {
      await page.goto(`${url}?model=${encodeURIComponent(query)}`);
      const error = await page.waitForSelector("#error:not([hidden])");
      assert.match((await error.textContent()) as string, pattern);
      assert.equal(await page.getAttribute("#status", "data-state"), "empty");
    }
  } finally {
    child.kill();
  }
});
