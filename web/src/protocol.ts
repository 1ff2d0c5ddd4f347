import type {
  PemnFormatProblem,
  PemnInspection,
  PemnModelProblem,
} from "../../src/artifact/index.js";

/** What the page asks the decoder worker; `id` pairs a reply with its request. */
export type WorkerRequest =
  | { readonly kind: "load"; readonly id: number; readonly bytes: ArrayBuffer }
  | { readonly kind: "mask"; readonly id: number; readonly layer: string }
  | { readonly kind: "classify"; readonly id: number; readonly pixels: Uint8Array }
  | { readonly kind: "hashes"; readonly id: number };

/** Why a file could not be opened, as plain data (errors lose their class crossing to the page). */
export type LoadFailure =
  | { readonly family: "format"; readonly code: PemnFormatProblem; readonly detail: string }
  | { readonly family: "model"; readonly code: PemnModelProblem; readonly detail: string }
  | { readonly family: "other"; readonly detail: string };

/** Whether the page can classify with the loaded model, and on what. */
export type ClassifierState =
  | {
      readonly ready: true;
      readonly height: number;
      readonly width: number;
      /** The model's classes, as its ONNX metadata names them (modelClassNames). */
      readonly classNames: readonly string[];
      /** The data whose normalisation feeds it (from the ONNX metadata, else assumed). */
      readonly dataset: string;
      readonly mean: readonly number[];
      readonly std: readonly number[];
      /** Whether the normalisation is the file's own; if not, the page assumed Fashion-MNIST's. */
      readonly recorded: boolean;
      /** Milliseconds to build the ONNX graph and create the onnxruntime-web session. */
      readonly buildMs: number;
    }
  | { readonly ready: false; readonly reason: string };

export interface LoadedModel {
  readonly inspection: PemnInspection;
  /** Milliseconds to decode the file and regenerate every masked layer's weights. */
  readonly decodeMs: number;
  readonly classifier: ClassifierState;
}

export interface LayerMask {
  readonly shape: readonly number[];
  /** One byte per weight, 1 kept, 0 dropped, row-major. */
  readonly kept: Uint8Array;
}

export interface Classification {
  readonly logits: readonly number[];
  /** Softmax of the logits, computed in float64. */
  readonly probabilities: readonly number[];
}

/** Reply payloads by request kind. */
export interface ReplyValue {
  readonly load: LoadedModel;
  readonly mask: LayerMask;
  readonly classify: Classification;
  /** SHA-256 (hex) of each decoded tensor's float32 little-endian bytes, by name. */
  readonly hashes: Readonly<Record<string, string>>;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: ReplyValue[WorkerRequest["kind"]] }
  | { readonly id: number; readonly ok: false; readonly failure: LoadFailure };
