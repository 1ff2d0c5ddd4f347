/** What went wrong with a dataset file; lets callers react without parsing messages. */
export type DatasetProblem =
  | "missing-file"
  | "bad-gzip"
  | "bad-magic"
  | "truncated"
  | "size-mismatch"
  | "count-mismatch"
  | "label-out-of-range";

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
