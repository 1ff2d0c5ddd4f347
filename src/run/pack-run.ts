import { statSync } from "node:fs";
import { dirname } from "node:path";
import type { PemnContents } from "../artifact/format/index.js";
import { attributeToFile, writePemnFile } from "../artifact/pemn-file.js";
import { datasetClassNames } from "../data/index.js";
import { createPemnModel } from "../models/index.js";
import { type PackOptions, packModel } from "../packing/pack-model.js";
import { PemnPackError } from "../packing/pemn-pack-error.js";
import { type Checkpoint, restoreModel } from "../train/index.js";
import type { RunConfig } from "./run-config.js";
import { readRunCheckpoint, readRunConfig } from "./run-directory.js";
import { RunDirectoryError } from "./run-directory-error.js";
import { RUN_CONFIG_FILE, runPaths } from "./run-paths.js";

export interface PackRunOptions extends PackOptions {
  /** Which checkpoint of a run directory (a checkpoint file given directly is taken as is). */
  readonly checkpoint: "last" | "best";
}

/**
 * The `.pemn` contents of a run written by `pemn train`: `source` is its directory (then its
 * last or best checkpoint) or a checkpoint file beside the run's config.json. The model is
 * rebuilt from the config, the checkpoint restored into it, and packed (packModel).
 */
export function packRun(source: string, options: PackRunOptions): PemnContents {
  const { config, checkpoint } = locateRun(source, options.checkpoint);
  const checkpointFile = checkpoint.file;
  const { model } = createPemnModel(config);
  try {
    restoreModel(model, checkpoint);
    return { ...packModel(model, config, options), dataset: datasetRecord(config) };
  } catch (error) {
    if (error instanceof PemnPackError && error.file === undefined) {
      throw new PemnPackError(error.code, error.detail, checkpointFile);
    }
    throw error;
  } finally {
    model.dispose();
  }
}

/** What the run trained on, for the file's header: the dataset's name and class names. */
function datasetRecord(config: RunConfig): { name: string; classNames?: readonly string[] } {
  const { source } = config.data;
  const classNames = datasetClassNames(source);
  // Only names that match the model (a Tiny-ImageNet folder changed since is not believed).
  return classNames !== null && classNames.length === config.model.classes
    ? { name: source.name, classNames }
    : { name: source.name };
}

/** Packs a run into `output` (written atomically); returns the file's length and weights. */
export function packRunToFile(
  source: string,
  output: string,
  options: PackRunOptions,
): { bytes: number; maskedWeights: number } {
  const contents = packRun(source, options);
  const maskedWeights = contents.maskedLayers.reduce(
    (sum, layer) => sum + layer.shape.reduce((product, length) => product * length, 1),
    0,
  );
  // The encoder refuses norm values fp16 cannot hold: the run is what the message is about.
  return { bytes: attributeToFile(source, () => writePemnFile(output, contents)), maskedWeights };
}

function locateRun(
  source: string,
  checkpoint: "last" | "best",
): { config: RunConfig; checkpoint: Checkpoint } {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(source).isDirectory();
  } catch {
    throw new PemnPackError("not-a-run", "no such run directory or checkpoint file", source);
  }
  const runDir = isDirectory ? source : dirname(source);
  let config: RunConfig;
  try {
    config = readRunConfig(runDir);
  } catch (error) {
    if (!(error instanceof RunDirectoryError)) throw error;
    if (error.code === "invalid-config") {
      throw new PemnPackError("invalid-config", error.message, runPaths(runDir).config);
    }
    throw new PemnPackError(
      "not-a-run",
      isDirectory
        ? `not a run directory: it has no readable ${RUN_CONFIG_FILE}`
        : `a checkpoint needs its run's ${RUN_CONFIG_FILE} beside it, and ${runPaths(runDir).config} cannot be read`,
      source,
    );
  }
  return {
    config,
    checkpoint: readRunCheckpoint(runDir, config, isDirectory ? checkpoint : { file: source }),
  };
}
