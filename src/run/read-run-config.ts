import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseRunConfig, type RunConfig, RunConfigError } from "./run-config.js";

/** Where a run directory keeps its validated config (written by runTraining). */
export const RUN_CONFIG_FILE = "config.json";

/**
 * What is wrong with a run directory: no config, a config that does not validate, a run
 * where a new one was to start, or a config other than the one a resume was given.
 */
export class RunDirectoryError extends RunConfigError {
  constructor(
    readonly problem: "missing-config" | "invalid-config" | "run-exists" | "config-differs",
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
    text = readFileSync(file, "utf8");
  } catch {
    throw new RunDirectoryError(
      "missing-config",
      `${runDir} is not a run directory: ${file} cannot be read`,
    );
  }
  try {
    return parseRunConfig(JSON.parse(text));
  } catch (error) {
    throw new RunDirectoryError("invalid-config", `${file}: ${(error as Error).message}`);
  }
}
