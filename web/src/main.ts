/**
 * The page: opens `.pemn` files (the example at start, the file picker, drops) through the
 * decoder worker and shows each part of what it answers; errors in words.
 */
import { renderBytes } from "./bytes-view.js";
import { ClassifyView } from "./classify-view.js";
import { DecoderClient, WorkerFailure } from "./decoder-client.js";
import { byId, element } from "./dom.js";
import { failureInWords } from "./failure-words.js";
import { renderLayers } from "./layers-view.js";
import type { LoadedModel } from "./protocol.js";
import { renderSummary } from "./summary-view.js";

const EXAMPLE = "example.pemn";

const client = new DecoderClient();
const status = byId("status");
const errorBox = byId("error");
const classifyView = new ClassifyView(client);
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
  renderSummary(name, inspection);
  renderBytes(inspection);
  renderLayers(client, inspection);
  classifyView.setClassifier(loaded.classifier);
  byId("model").hidden = false;
}

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

await classifyView.loadSamples();
const asked = modelToOpen(new URLSearchParams(location.search).get("model"));
await openFile(
  asked.name,
  asked.url === null
    ? Promise.reject(new Error(asked.problem))
    : fetch(asked.url).then((response) => {
        if (!response.ok)
          throw new Error(`the server answered ${response.status} for ${asked.url}`);
        return response.arrayBuffer();
      }),
);

/**
 * The file to open first: `?model=<url>` (relative to the page, as `pemn serve model.pemn`
 * gives it, or any http(s) address that allows the page to fetch it), else the example.
 */
function modelToOpen(
  parameter: string | null,
):
  | { name: string; url: string; problem?: undefined }
  | { name: string; url: null; problem: string } {
  if (parameter === null || parameter === "") return { name: EXAMPLE, url: `./${EXAMPLE}` };
  let url: URL;
  try {
    url = new URL(parameter, location.href);
  } catch {
    return { name: parameter, url: null, problem: "?model= is not an address" };
  }
  const last = url.pathname.split("/").pop() || url.host;
  let name: string;
  try {
    name = decodeURIComponent(last);
  } catch {
    name = last;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return {
      name,
      url: null,
      problem: `?model= must be an http or https address, not ${url.protocol}`,
    };
  }
  return { name, url: url.href };
}
