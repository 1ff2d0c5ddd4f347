import { readContainer } from "./format/container.js";
import { decodeHeader } from "./format/header.js";
import { PemnModelError } from "./pemn-model-error.js";

/** What a decoded `.pemn` model is for: each use holds different copies of its weights. */
export type PemnUse = "decode" | "evaluate" | "export" | "convert";

/**
 * Bytes each masked or norm weight takes at the peak of each use, lower bounds from max RSS
 * (less the 158 MB of an idle CLI) on one-hidden-layer MLPs: decoding holds the mask (1 byte),
 * the values (4) and the masked weights (4); evaluation adds the engine's tensors (12.1 at
 * 1.03e9 weights, 14 at 1.6e8); export adds the ONNX initialisers and their serialised bytes
 * (12 at 4e7). Converting to safetensors holds the fixed values (4), W * M (4) and its bytes (4):
 * counted from the copies made, not measured.
 */
export const BYTES_PER_WEIGHT: Readonly<Record<PemnUse, number>> = {
  decode: 9,
  evaluate: 12,
  export: 12,
  convert: 12,
};

/** Protocol Buffers refuse a message over 2 GiB, so no ONNX file can hold more float32 weights. */
const ONNX_MAX_BYTES = 2 ** 31 - 1;

/** Weights a `.pemn` file declares (masked layers and norm tensors), read from its header only. */
export function declaredWeights(bytes: Uint8Array): number {
  const header = decodeHeader(readContainer(bytes).header.bytes);
  const elements = (shape: readonly number[]) => shape.reduce((product, n) => product * n, 1);
  let weights = 0;
  for (const layer of header.layers) weights += elements(layer.shape);
  for (const norm of header.norms) weights += elements(norm.shape);
  return weights;
}

/**
 * Refuses, before anything is allocated, a file whose decoded model would need more than
 * `availableBytes` for `use`: a few hundred bytes can declare 2^30 range-coded weights.
 * The caller measures the machine (this module stays free of Node built-ins).
 */
export function checkPemnMemory(bytes: Uint8Array, use: PemnUse, availableBytes: number): void {
  const weights = declaredWeights(bytes);
  if (use === "export" && weights * 4 > ONNX_MAX_BYTES) {
    throw new PemnModelError(
      "too-large",
      `its ${weights} weights take ${weights * 4} bytes as float32 ONNX initialisers, over the 2 GiB (${ONNX_MAX_BYTES} bytes) an ONNX file (a protobuf message) can hold`,
    );
  }
  const needed = weights * BYTES_PER_WEIGHT[use];
  if (needed > availableBytes) {
    const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;
    throw new PemnModelError(
      "too-large",
      `its ${weights} weights need at least ${gib(needed)} to ${use} (${BYTES_PER_WEIGHT[use]} bytes each), more than the ${gib(availableBytes)} of memory available`,
    );
  }
}
