/** What went wrong with a dataset file; lets callers react without parsing messages. */
export type DatasetProblem =
  | "missing-file"
  | "bad-gzip"
  | "bad-magic"
  | "truncated"
  | "size-mismatch"
  | "count-mismatch"
  | "label-out-of-range"
  /** An image file that does not decode (named), or is not PNG, JPEG or WebP inside. */
  | "bad-image"
  /** A class folder without a single image. */
  | "empty-class"
  /** An image folder or Tiny-ImageNet laid out otherwise than docs/data.md says. */
  | "bad-layout"
  /** The decoded images would not fit in the memory available (PEMN_MAX_MEMORY). */
  | "too-large"
  /** Image files not decoded yet: prepareDataset(source) decodes them into the cache. */
  | "not-prepared";

/** A dataset file is missing, corrupt, or disagrees with its companion file; `code` says how. */
export class DatasetError extends Error {
  override readonly name = "DatasetError";

  constructor(
    readonly file: string,
    readonly code: DatasetProblem,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}
