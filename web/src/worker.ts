/// <reference lib="webworker" />
import { encodeFloat32 } from "../../src/artifact/format/float32-bytes.js";
import {
  type DecodedModel,
  decodeModel,
  decodePemn,
  inspectPemn,
  type PemnContents,
  PemnFormatError,
  PemnModelError,
  unpackMask,
} from "../../src/artifact/index.js";
import { Classifier } from "./classifier.js";
import type {
  LayerMask,
  LoadedModel,
  LoadFailure,
  ReplyValue,
  WorkerReply,
  WorkerRequest,
} from "./protocol.js";

/**
 * The decoder off the page's thread: decodes a `.pemn` file, regenerates its weights, builds
 * its ONNX graph and session, and answers questions about the model it holds. A file that
 * fails leaves the model loaded before it in place.
 */
interface Loaded {
  readonly contents: PemnContents;
  readonly decoded: DecodedModel;
  readonly classifier: Classifier | null;
}

let loaded: Loaded | null = null;

async function load(bytes: Uint8Array): Promise<LoadedModel> {
  const inspection = inspectPemn(bytes);
  const started = performance.now();
  const contents = decodePemn(bytes);
  const decoded = decodeModel(contents);
  const decodeMs = performance.now() - started;
  const { classifier, state } = await Classifier.create(decoded);
  await loaded?.classifier?.release();
  loaded = { contents, decoded, classifier };
  return { inspection, decodeMs, classifier: state };
}

function current(): Loaded {
  if (loaded === null) throw new Error("no model is loaded");
  return loaded;
}

function layerMask(name: string): LayerMask {
  const layer = current().contents.maskedLayers.find((candidate) => candidate.name === name);
  if (layer === undefined) throw new Error(`the model has no masked layer "${name}"`);
  const weights = layer.shape.reduce((product, length) => product * length, 1);
  return { shape: layer.shape, kept: unpackMask(layer.mask, weights) };
}

async function tensorHashes(): Promise<Record<string, string>> {
  const { decoded } = current();
  const hashes: Record<string, string> = {};
  for (const [name, tensor] of [...decoded.maskedWeights, ...decoded.normTensors]) {
    const digest = await crypto.subtle.digest(
      "SHA-256",
      encodeFloat32(tensor.values) as Uint8Array<ArrayBuffer>,
    );
    hashes[name] = [...new Uint8Array(digest)]
      .map((byte) => byte.toString(16).padStart(2, "0"))
      .join("");
  }
  return hashes;
}

async function answer(request: WorkerRequest): Promise<ReplyValue[WorkerRequest["kind"]]> {
  switch (request.kind) {
    case "load":
      return load(new Uint8Array(request.bytes));
    case "mask":
      return layerMask(request.layer);
    case "classify": {
      const { classifier } = current();
      if (classifier === null)
        throw new Error("the loaded model cannot classify the page's images");
      return classifier.classify(request.pixels);
    }
    case "hashes":
      return tensorHashes();
  }
}

function failureOf(error: unknown): LoadFailure {
  if (error instanceof PemnFormatError)
    return { family: "format", code: error.code, detail: error.detail };
  if (error instanceof PemnModelError)
    return { family: "model", code: error.code, detail: error.detail };
  return { family: "other", detail: error instanceof Error ? error.message : String(error) };
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  let reply: WorkerReply;
  try {
    reply = { id: request.id, ok: true, value: await answer(request) };
  } catch (error) {
    reply = { id: request.id, ok: false, failure: failureOf(error) };
  }
  self.postMessage(reply);
};
