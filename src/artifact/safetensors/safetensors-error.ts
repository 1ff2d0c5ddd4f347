/** What is wrong with a safetensors file, or with tensors given to the encoder. */
export type SafetensorsProblem =
  /** The file ends before the length its first 8 bytes announce, or before its last tensor. */
  | "truncated"
  /** The header is longer than the reference implementation accepts (100,000,000 bytes). */
  | "header-too-large"
  /** The header is not a UTF-8 JSON object of tensor entries and a string-to-string `__metadata__`. */
  | "bad-header"
  /** A tensor's dtype is not one the specification lists. */
  | "bad-dtype"
  /** A tensor's offsets leave a gap, overlap another's, or disagree with its shape and dtype. */
  | "bad-offsets"
  /** Bytes follow the last tensor's end. */
  | "trailing-data"
  /** (encoder) tensors the format cannot hold: a duplicate name, data of the wrong length. */
  | "invalid-contents";

/** A safetensors file (or tensors for one) breaks the format; `tensor` names the tensor concerned. */
export class SafetensorsError extends Error {
  override readonly name = "SafetensorsError";

  constructor(
    readonly code: SafetensorsProblem,
    readonly detail: string,
    /** The file's path, when the bytes came from one. */
    readonly file?: string,
    /** The tensor the problem is in, when there is one. */
    readonly tensor?: string,
  ) {
    super(file === undefined ? `${code}: ${detail}` : `${file}: ${code}: ${detail}`);
  }
}
