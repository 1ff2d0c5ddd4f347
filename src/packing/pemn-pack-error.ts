/** Why a run cannot be packed into a `.pemn` file. */
export type PemnPackProblem =
  /** The source is neither a run directory nor a checkpoint beside its config.json. */
  | "not-a-run"
  /** The run's config.json cannot be read or fails validation. */
  | "invalid-config"
  /** Seed mode was asked for a dense network, whose weights are trained. */
  | "dense-needs-stored"
  /** The model's fixed values are not what its strategy and seed give. */
  | "values-not-regenerable"
  /** A tensor of the trained model holds NaN or an infinity. */
  | "non-finite";

/** A run cannot be packed; `code` says why, `file` names the file or directory concerned. */
export class PemnPackError extends Error {
  override readonly name = "PemnPackError";

  constructor(
    readonly code: PemnPackProblem,
    readonly detail: string,
    readonly file?: string,
  ) {
    super(file === undefined ? detail : `${file}: ${detail}`);
  }
}
