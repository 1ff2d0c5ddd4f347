/** Why a well-formed `.pemn` file still does not describe a model this pemn can rebuild. */
export type PemnModelProblem =
  /** Seeded values come from a generator this pemn does not implement (another version). */
  | "unknown-generator"
  /** The model configuration fails validation. */
  | "invalid-model"
  /** The weight strategy fails validation. */
  | "invalid-strategy"
  /** The masked layers differ from the model's layout (names, shapes or order). */
  | "layer-mismatch"
  /** The norm tensors differ from the tensors the model trains (missing, extra, wrong shape). */
  | "norm-mismatch"
  /** The dataset's image shape or class count differs from the model's. */
  | "dataset-mismatch"
  /** Decoding and using the model would need more memory than the machine has (memory-needs.ts). */
  | "too-large";

/** A `.pemn` file's contents do not fit the model they name; `code` says how. */
export class PemnModelError extends Error {
  override readonly name = "PemnModelError";

  constructor(
    readonly code: PemnModelProblem,
    readonly detail: string,
    /** The file's path, when the contents came from one. */
    readonly file?: string,
  ) {
    super(file === undefined ? `${code}: ${detail}` : `${file}: ${code}: ${detail}`);
  }
}
