import type { JsonObject, PemnInspection } from "../../src/artifact/pure.js";
import { CLASS_NAMES } from "../../src/data/class-names.js";
import { DecoderClient, WorkerFailure } from "./decoder-client.js";
import { byId, count, element, figure, percent } from "./dom.js";
import { DrawingPad } from "./drawing-pad.js";
import { failureInWords } from "./failure-words.js";
import { drawMask } from "./mask-picture.js";
import type { Classification, ClassifierState, LoadedModel } from "./protocol.js";
import { PART_COLORS, sizeChart } from "./size-chart.js";

/** A Fashion-MNIST test image shipped with the page (web/scripts/make-example.ts). */
interface Sample {
  readonly file: string;
  /** Its index in the test set. */
  readonly index: number;
  readonly label: number;
}

const EXAMPLE = "example.pemn";

/** What each weight strategy does, in a sentence (docs/generator.md, docs/format.md). */
const STRATEGY_WORDS: Readonly<Record<string, string>> = {
  dense: "ordinary trained weights, stored in the file",
  mask: "every layer has its own random values",
  "one-layer": "layers of one shape share one random tensor",
  mp: "every layer repeats one random vector (max-layer padding)",
  rp: "every layer tiles one short random vector (random vector padding)",
};

const client = new DecoderClient();
const status = byId("status");
const errorBox = byId("error");
let classifier: ClassifierState = { ready: false, reason: "no model is loaded" };
/** The file on show and its status line, put back when another file fails to open. */
let shown: { readonly name: string; readonly status: readonly (Node | string)[] } | null = null;

function showError(file: string, error: unknown): void {
  const { headline, detail } =
    error instanceof WorkerFailure
      ? failureInWords(error.failure)
      : { headline: "The file could not be opened.", detail: String(error) };
  errorBox.replaceChildren(
    element("strong", {}, `Could not open ${file}. `),
    headline,
    element("div", { class: "detail" }, detail),
    element(
      "div",
      { class: "detail" },
      shown === null ? "" : `Still showing ${shown.name}. `,
      "Open another file to continue.",
    ),
  );
  errorBox.hidden = false;
}

/** Opens a file: `status` says "loading" at once, "ready" when a model (this or the last) shows. */
async function openFile(name: string, read: Promise<ArrayBuffer>): Promise<void> {
  status.dataset.state = "loading";
  status.textContent = `Decoding ${name}…`;
  try {
    const bytes = await read;
    const loaded = await client.ask({ kind: "load", bytes }, [bytes]);
    errorBox.hidden = true;
    shown = { name, status: statusLine(name, loaded) };
    render(name, loaded);
  } catch (error) {
    showError(name, error);
  }
  status.replaceChildren(...(shown?.status ?? ["No model is loaded."]));
  status.dataset.state = shown === null ? "empty" : "ready";
  if (shown !== null) status.dataset.file = shown.name;
}

function describeFields(fields: JsonObject, skip: readonly string[] = []): string {
  return Object.entries(fields)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => `${key} ${typeof value === "object" ? JSON.stringify(value) : value}`)
    .join(", ");
}

function statusLine(name: string, loaded: LoadedModel): (Node | string)[] {
  const { inspection, decodeMs, classifier: state } = loaded;
  return [
    element("strong", {}, name),
    ": decoded in ",
    element(
      "strong",
      { id: "decode-ms", "data-ms": String(decodeMs) },
      `${decodeMs.toFixed(1)} ms`,
    ),
    " in a Web Worker",
    inspection.valueMode === "stored"
      ? ""
      : ` (every weight regenerated from seed ${inspection.generator.seed})`,
    state.ready
      ? `; ONNX graph built in the page and loaded into onnxruntime-web in ${state.buildMs.toFixed(0)} ms.`
      : ".",
  ];
}

function render(name: string, loaded: LoadedModel): void {
  const { inspection } = loaded;
  classifier = loaded.classifier;
  renderSummary(name, inspection);
  renderBytes(inspection);
  renderLayers(inspection);
  renderClassifier();
  byId("model").hidden = false;
}

function renderSummary(name: string, inspection: PemnInspection): void {
  const { model, strategy, generator } = inspection;
  const input = model.input as { channels: number; height: number; width: number };
  const row = (term: string, ...details: (Node | string)[]) => [
    element("dt", {}, term),
    element("dd", {}, ...details),
  ];
  const kind = String(strategy.kind);
  const values =
    inspection.valueMode === "seed"
      ? `regenerated from seed ${generator.seed} (${generator.name}); none stored`
      : inspection.valueMode === "stored"
        ? "stored in the file as float32"
        : "some regenerated from the seed, some stored";
  byId("summary").replaceChildren(
    ...row("File", `${name}, `, figure("totalBytes", inspection.totalBytes), " bytes"),
    ...row(
      "Architecture",
      element("strong", {}, String(model.name)),
      ` ${describeFields(model, ["name", "input", "classes"])}; input ${input.channels}×${input.height}×${input.width}, ${String(model.classes)} classes`,
    ),
    ...row(
      "Strategy",
      element("strong", {}, kind),
      ` ${describeFields(strategy, ["kind"])}`,
      STRATEGY_WORDS[kind] === undefined
        ? ""
        : element("div", { class: "hint" }, STRATEGY_WORDS[kind]),
    ),
    ...row("Values", values),
    ...row(
      "Unique values",
      figure("uniqueValues", inspection.uniqueValues),
      inspection.storedValues > 0 ? ` (${count(inspection.storedValues)} stored)` : "",
    ),
    ...row(
      "Masked weights",
      figure("maskedWeights", inspection.maskedWeights),
      ` in ${inspection.maskedLayers} layers; `,
      figure("keptWeights", inspection.keptWeights),
      ` kept (${percent(inspection.keptWeights / inspection.maskedWeights)})`,
    ),
    ...row(
      "Norm tensors",
      `${inspection.norms.length}: `,
      figure("normParameters", inspection.normParameters),
      " trained parameters, ",
      figure("normRunningStatistics", inspection.normRunningStatistics),
      " running statistics",
    ),
    ...row(
      "Bits per weight",
      figure(
        "bitsPerMaskedWeight.withNorms",
        inspection.bitsPerMaskedWeight.withNorms,
        inspection.bitsPerMaskedWeight.withNorms.toFixed(3),
      ),
      " (",
      figure(
        "bitsPerMaskedWeight.withoutNorms",
        inspection.bitsPerMaskedWeight.withoutNorms,
        inspection.bitsPerMaskedWeight.withoutNorms.toFixed(3),
      ),
      " without norms) against 32 dense",
    ),
  );
}

function renderBytes(inspection: PemnInspection): void {
  byId("size-chart").replaceChildren(sizeChart(inspection));
  const header = element(
    "tr",
    {},
    element("th", {}, "part of the file"),
    element("th", {}, "bytes"),
    element("th", {}, "bits per masked weight"),
    element("th", {}, "share"),
  );
  const parts = (["framing", "header", "values", "masks", "norms"] as const).map((part) => {
    const cost = inspection.parts[part];
    return element(
      "tr",
      {},
      element(
        "td",
        {},
        element("span", { class: "swatch", style: `background:${PART_COLORS[part]}` }),
        part,
      ),
      element("td", {}, figure(`parts.${part}.bytes`, cost.bytes)),
      element(
        "td",
        {},
        figure(
          `parts.${part}.bitsPerMaskedWeight`,
          cost.bitsPerMaskedWeight,
          cost.bitsPerMaskedWeight.toFixed(4),
        ),
      ),
      element("td", {}, percent(cost.bytes / inspection.totalBytes)),
    );
  });
  const total = element(
    "tr",
    { class: "total" },
    element("td", {}, "total"),
    element("td", {}, figure("totalBytes", inspection.totalBytes)),
    element(
      "td",
      {},
      figure(
        "bitsPerMaskedWeight.withNorms",
        inspection.bitsPerMaskedWeight.withNorms,
        inspection.bitsPerMaskedWeight.withNorms.toFixed(4),
      ),
    ),
    element("td", {}, "100%"),
  );
  byId("parts").replaceChildren(
    element("thead", {}, header),
    element("tbody", {}, ...parts, total),
  );
  const { compression, pruned } = inspection;
  const ratio = (path: string, value: number) => figure(path, value, percent(value, 2));
  byId("compression").replaceChildren(
    "Against dense float32 weights this file is ",
    ratio(
      "compression.file.withoutNorms.compressionRatio",
      compression.file.withoutNorms.compressionRatio,
    ),
    " smaller without the norm tensors, ",
    ratio(
      "compression.file.withNorms.compressionRatio",
      compression.file.withNorms.compressionRatio,
    ),
    " with them (the paper's count, 32 bits per unique value plus 1 bit per weight: ",
    ratio(
      "compression.paper.withoutNorms.compressionRatio",
      compression.paper.withoutNorms.compressionRatio,
    ),
    "). A pruned network in the same bits (32-bit values, two ",
    figure("pruned.indexBits", pruned.indexBits),
    "-bit indices per weight) keeps ",
    figure("pruned.sameAsFile.keptWeights", pruned.sameAsFile.keptWeights),
    " of its weights.",
  );
}

async function showMask(layer: string): Promise<void> {
  const mask = await client.ask({ kind: "mask", layer });
  const { rows, columns } = drawMask(byId<HTMLCanvasElement>("mask-picture"), mask);
  const kept = mask.kept.reduce((sum, bit) => sum + bit, 0);
  byId("mask-caption").replaceChildren(
    element("strong", {}, layer),
    ` [${mask.shape.join(", ")}]: ${count(kept)} of ${count(mask.kept.length)} kept (${percent(kept / mask.kept.length)}). `,
    element("span", { class: "key kept" }),
    "kept ",
    element("span", { class: "key dropped" }),
    `dropped; ${rows} rows (outputs) × ${columns} columns (inputs${mask.shape.length > 2 ? " × kernel" : ""}).`,
  );
  for (const row of byId("layers").querySelectorAll("tbody tr")) {
    row.classList.toggle("selected", (row as HTMLElement).dataset.layer === layer);
  }
}

function renderLayers(inspection: PemnInspection): void {
  const headings = ["layer", "shape", "weights", "kept", "values", "mask bytes", "encoding"];
  const rows = inspection.layers.map((layer, index) => {
    const row = element(
      "tr",
      { "data-layer": layer.name, tabindex: "0" },
      element("td", {}, layer.name),
      element("td", {}, layer.shape.join("×")),
      element("td", {}, figure(`layers.${index}.weights`, layer.weights)),
      element("td", {}, percent(layer.keepFraction)),
      element("td", {}, layer.values.kind),
      element("td", {}, figure(`layers.${index}.bytes`, layer.bytes)),
      element("td", {}, layer.encoding),
    );
    row.addEventListener("click", () => void showMask(layer.name));
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") void showMask(layer.name);
    });
    return row;
  });
  byId("layers").replaceChildren(
    element(
      "thead",
      {},
      element("tr", {}, ...headings.map((heading) => element("th", {}, heading))),
    ),
    element("tbody", {}, ...rows),
  );
  const largest = inspection.layers.reduce((best, layer) =>
    layer.weights > best.weights ? layer : best,
  );
  void showMask(largest.name);
}

// Classification ---------------------------------------------------------------------------

/** The shipped test images are Fashion-MNIST's. */
const SAMPLE_CLASSES = CLASS_NAMES["fashion-mnist"] as readonly string[];

const pad = new DrawingPad(byId<HTMLCanvasElement>("pad"), () => {
  showingSample(null);
  void classifyPad();
});
/** The test image the pad shows, or null for a drawing. */
let padSample: Sample | null = null;
let classifying = false;
let classifyAgain = false;

function renderClassifier(): void {
  const unavailable = byId("classify-unavailable");
  unavailable.hidden = classifier.ready;
  byId("classify").hidden = !classifier.ready;
  if (!classifier.ready)
    unavailable.textContent = `This model cannot classify here: ${classifier.reason}.`;
  else void classifyPad();
}

/** Classifies what the pad shows; one request at a time, the latest drawing last. */
async function classifyPad(): Promise<void> {
  if (!classifier.ready) return;
  if (classifying) {
    classifyAgain = true;
    return;
  }
  classifying = true;
  try {
    const sample = padSample;
    const pixels = pad.pixels();
    if (pixels.every((pixel) => pixel === 0)) showBlank();
    else showPrediction(await client.ask({ kind: "classify", pixels }), sample);
  } finally {
    classifying = false;
  }
  if (classifyAgain) {
    classifyAgain = false;
    await classifyPad();
  }
}

function showBlank(): void {
  const prediction = byId("prediction");
  prediction.dataset.source = "blank";
  delete prediction.dataset.class;
  delete prediction.dataset.probabilities;
  prediction.textContent = "Draw a piece of clothing, or pick a test image.";
  byId("probabilities").replaceChildren();
  byId("truth").textContent = "";
}

/** Shows a classification of what the pad showed when it was asked: `sample`, or a drawing. */
function showPrediction(result: Classification, sample: Sample | null): void {
  if (!classifier.ready) return;
  const { classNames } = classifier;
  const { probabilities } = result;
  const best = probabilities.indexOf(Math.max(...probabilities));
  const prediction = byId("prediction");
  prediction.dataset.class = String(best);
  prediction.dataset.probabilities = JSON.stringify(probabilities);
  prediction.dataset.source = sample === null ? "drawing" : `sample:${sample.index}`;
  prediction.replaceChildren(
    "Prediction: ",
    element("strong", {}, classNames[best] as string),
    ` (${percent(probabilities[best] as number)})`,
  );
  byId("truth").textContent =
    sample === null
      ? "Your drawing, 28×28 pixels."
      : `Fashion-MNIST test image ${sample.index}, labelled ${SAMPLE_CLASSES[sample.label]}${sample.label === best ? " ✓" : " ✗"}`;
  byId("probabilities").replaceChildren(
    ...probabilities.map((probability, index) =>
      element(
        "li",
        { class: index === best ? "best" : "" },
        element("span", { class: "class-name" }, classNames[index] as string),
        element(
          "span",
          { class: "bar" },
          element("span", { class: "fill", style: `width:${(100 * probability).toFixed(2)}%` }),
        ),
        element("span", { class: "probability" }, percent(probability)),
      ),
    ),
  );
}

function showingSample(sample: Sample | null): void {
  padSample = sample;
  for (const button of byId("samples").querySelectorAll("button")) {
    button.classList.toggle("selected", button.dataset.index === String(sample?.index));
  }
}

async function loadSamples(): Promise<void> {
  const samples = (await (await fetch("./samples.json")).json()) as Sample[];
  byId("samples").replaceChildren(
    ...samples.map((sample) => {
      const name = SAMPLE_CLASSES[sample.label] as string;
      const image = element("img", { src: `./${sample.file}`, alt: name });
      const button = element(
        "button",
        {
          type: "button",
          "data-index": String(sample.index),
          title: `${name} (test image ${sample.index})`,
        },
        image,
      );
      button.addEventListener("click", async () => {
        await image.decode();
        pad.show(image);
        showingSample(sample);
        await classifyPad();
      });
      return button;
    }),
  );
}

byId("clear").addEventListener("click", () => {
  pad.clear();
  showingSample(null);
  void classifyPad();
});

// Opening files ----------------------------------------------------------------------------

const fileInput = byId<HTMLInputElement>("file-input");
fileInput.addEventListener("change", async () => {
  const file = fileInput.files?.[0];
  fileInput.value = "";
  if (file !== undefined) await openFile(file.name, file.arrayBuffer());
});

const overlay = byId("drop-overlay");
window.addEventListener("dragover", (event) => {
  event.preventDefault();
  overlay.hidden = false;
});
window.addEventListener("dragleave", (event) => {
  if (event.relatedTarget === null) overlay.hidden = true;
});
window.addEventListener("drop", async (event) => {
  event.preventDefault();
  overlay.hidden = true;
  const file = event.dataTransfer?.files[0];
  if (file !== undefined) await openFile(file.name, file.arrayBuffer());
});

/** For tests and the console: the page's decoded tensors' SHA-256, by name. */
Object.assign(window, { pemnPage: { tensorHashes: () => client.ask({ kind: "hashes" }) } });

await loadSamples();
await openFile(
  EXAMPLE,
  fetch(`./${EXAMPLE}`).then((response) => {
    if (!response.ok) throw new Error(`the server answered ${response.status} for ${EXAMPLE}`);
    return response.arrayBuffer();
  }),
);
