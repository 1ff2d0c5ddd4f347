import wasmUrl from "onnxruntime-web/ort-wasm-simd-threaded.wasm?url";
import * as ort from "onnxruntime-web/wasm";
import type { DecodedModel } from "../../src/artifact/index.js";
import { CLASS_NAMES } from "../../src/data/class-names.js";
import { type ChannelStats, datasetStats, Normalizer } from "../../src/data/normalization.js";
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "../../src/onnx/export-onnx.js";
import { type OnnxInputSpec, readOnnxInputSpec } from "../../src/onnx/onnx-metadata.js";
import type { Classification, ClassifierState } from "./protocol.js";

// The .wasm ships with the built page; one thread, since a static host gives no cross-origin
// isolation (SharedArrayBuffer).
ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, self.location.href).href };
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;

/** The images the page draws and ships: Fashion-MNIST's, 1 x 28 x 28. */
const PAGE_DATASET = "fashion-mnist";
const PAGE_INPUT = { channels: 1, height: 28, width: 28 } as const;

/**
 * The names of a model's classes, from its ONNX metadata: the ones its file records (the
 * data it was trained on: an image folder's class folders, ...), else Fashion-MNIST's for a
 * 10-class model whose file records no dataset, else "class 0", "class 1", ...
 */
export function modelClassNames(spec: OnnxInputSpec): readonly string[] {
  const recorded = spec.data?.classNames;
  if (recorded !== undefined && recorded.length === spec.classes) return recorded;
  const page = CLASS_NAMES[PAGE_DATASET] as readonly string[];
  if (spec.data === null && spec.classes === page.length) return page;
  return Array.from({ length: spec.classes }, (_, index) => `class ${index}`);
}

/** A decoded model as an onnxruntime-web session over the page's images. */
export class Classifier {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly normalizer: Normalizer,
  ) {}

  /**
   * The model's classifier when it takes the page's images, 1 x 28 x 28 (else why not): its
   * ONNX graph built from the decoded weights by the project's exporter, loaded into
   * onnxruntime-web, and fed as the graph's own metadata says: normalised with its dataset's
   * mean and std, its classes named as its file names them.
   */
  static async create(
    decoded: DecodedModel,
  ): Promise<{ classifier: Classifier | null; state: ClassifierState }> {
    const { input, classes } = decoded.model;
    if (
      input.channels !== PAGE_INPUT.channels ||
      input.height !== PAGE_INPUT.height ||
      input.width !== PAGE_INPUT.width
    ) {
      return {
        classifier: null,
        state: {
          ready: false,
          reason: `the page classifies 1×28×28 grey images (as Fashion-MNIST's); this model takes ${input.channels}×${input.height}×${input.width} images in ${classes} classes`,
        },
      };
    }
    const started = performance.now();
    const onnx = exportOnnx(decoded);
    // What the exported model says of itself, as any other runtime would read it.
    const spec = readOnnxInputSpec(onnx);
    const recorded = spec.data?.normalization ?? null;
    // A file that does not say (no dataset record, or one whose constants pemn does not know)
    // is fed as the images the page draws were: Fashion-MNIST's; the page says so.
    const normalization: ChannelStats = recorded ?? datasetStats(PAGE_DATASET, PAGE_INPUT.channels);
    const session = await ort.InferenceSession.create(onnx, { executionProviders: ["wasm"] });
    const classifier = new Classifier(session, new Normalizer(normalization, PAGE_INPUT));
    return {
      classifier,
      state: {
        ready: true,
        height: PAGE_INPUT.height,
        width: PAGE_INPUT.width,
        classNames: modelClassNames(spec),
        dataset: recorded === null ? PAGE_DATASET : (spec.data?.dataset ?? PAGE_DATASET),
        mean: normalization.mean,
        std: normalization.std,
        recorded: recorded !== null,
        buildMs: performance.now() - started,
      },
    };
  }

  /** Classifies one image of uint8 pixels, normalised as pemn feeds its own models. */
  async classify(pixels: Uint8Array): Promise<Classification> {
    const { channels, height, width } = PAGE_INPUT;
    const input = this.normalizer.normalizeImages(pixels);
    const outputs = await this.session.run({
      [ONNX_INPUT]: new ort.Tensor("float32", input, [1, channels, height, width]),
    });
    const logits = Array.from((outputs[ONNX_OUTPUT] as ort.Tensor).data as Float32Array);
    return { logits, probabilities: softmax(logits) };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function softmax(logits: readonly number[]): number[] {
  const largest = Math.max(...logits);
  const exponentials = logits.map((logit) => Math.exp(logit - largest));
  const sum = exponentials.reduce((total, value) => total + value, 0);
  return exponentials.map((value) => value / sum);
}
