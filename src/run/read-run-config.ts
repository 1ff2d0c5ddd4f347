import { join } from "node:path";
import { ConfigError } from "../config/parse-config.js";
import { readFailureReason, readInputText } from "../io/read-input-file.js";
import { parseRunConfig, type RunConfig } from "./run-config.js";

/** Where a run directory keeps its validated config (written by runTraining). */
export const RUN_CONFIG_FILE = "config.json";

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
  | "config-differs";

/** A run directory cannot serve as asked; `code` says why (pack tells a bad config apart). */
export class RunDirectoryError extends ConfigError {
  constructor(
    readonly code: RunDirectoryProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The config of the run in `runDir`, validated again. Errors name the file. */
export function readRunConfig(runDir: string): RunConfig {
  const file = join(runDir, RUN_CONFIG_FILE);
  let text: string;
  try {
    text = readInputText(file, "record");
  } catch (error) {
    throw new RunDirectoryError(
      "missing-config",
      `${runDir} is not a run directory: ${file} cannot be read (${readFailureReason(error)})`,
    );
  }
  try {
    return parseRunConfig(JSON.parse(text));
  } catch (error) {
    throw new RunDirectoryError("invalid-config", `${file}: ${(error as Error).message}`);
  }
}
