import { ConfigError } from "../config/parse-config.js";

/** What is wrong with a run directory (RunDirectoryError's `code`). */
export type RunDirectoryProblem =
  /** No config.json to read. */
  | "missing-config"
  /** A config.json that does not validate. */
  | "invalid-config"
  /** A run where a new one was to start. */
  | "run-exists"
  /** No run, but a file under a name a new run would write (docs/training.md). */
  | "foreign-file"
  /** A config other than the one a resume was given. */
  | "config-differs"
  /** A checkpoint asked for that the run cannot have (best without a validation split). */
  | "no-such-checkpoint";

/** A run directory cannot serve as asked; `code` says why (pack tells a bad config apart). */
export class RunDirectoryError extends ConfigError {
  constructor(
    readonly code: RunDirectoryProblem,
    message: string,
  ) {
    super(message);
  }
}
