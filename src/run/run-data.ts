import {
  type Dataset,
  DatasetError,
  loadDataset,
  splitValidation,
  subsetDataset,
} from "../data/index.js";
import { createGenerator } from "../random/index.js";
import type { TrainData } from "../train/index.js";
import type { RunConfig } from "./run-config.js";

/**
 * The run's three splits: validation held out of the training files, test kept for the end.
 * Image files must be decoded first (prepareDataset; runTraining does).
 */
export function loadRunData(config: RunConfig): TrainData {
  const { source, validation, trainLimit } = config.data;
  const split = splitValidation(
    checkClasses(loadDataset(source, "train"), config),
    validation,
    createGenerator(config.seed, "data/validation-split"),
  );
  return {
    train: limit(split.train, trainLimit),
    validation: split.validation,
    test: checkClasses(loadDataset(source, "test"), config),
  };
}

/** A dataset whose files hold another number of classes than the model has is refused. */
function checkClasses(dataset: Dataset, config: RunConfig): Dataset {
  if (dataset.classes !== config.model.classes) {
    throw new DatasetError(
      config.data.source.dir,
      "bad-layout",
      `holds ${dataset.classes} classes, but the run's model has ${config.model.classes} (as ${config.data.source.name} has)`,
    );
  }
  return dataset;
}

function limit(dataset: Dataset, count: number | null): Dataset {
  if (count === null || count >= dataset.count) return dataset;
  return subsetDataset(
    dataset,
    Array.from({ length: count }, (_, i) => i),
  );
}
