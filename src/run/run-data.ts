import { type Dataset, loadDataset, splitValidation, subsetDataset } from "../data/index.js";
import { createGenerator } from "../random/index.js";
import type { TrainData } from "../train/index.js";
import type { RunConfig } from "./run-config.js";

/** The run's three splits: validation held out of the training files, test kept for the end. */
export function loadRunData(config: RunConfig): TrainData {
  const { source, validation, trainLimit } = config.data;
  const split = splitValidation(
    loadDataset(source, "train"),
    validation,
    createGenerator(config.seed, "data/validation-split"),
  );
  return {
    train: limit(split.train, trainLimit),
    validation: split.validation,
    test: loadDataset(source, "test"),
  };
}

function limit(dataset: Dataset, count: number | null): Dataset {
  if (count === null || count >= dataset.count) return dataset;
  return subsetDataset(
    dataset,
    Array.from({ length: count }, (_, i) => i),
  );
}
