import { z } from "zod";
import { flag } from "../config/config-flags.js";
import { parseConfig } from "../config/parse-config.js";

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

const dirFlag = flag("data-dir", "directory of the dataset's files", { valueName: "dir" });

const dirField = (dataset: string) =>
  z
    .string({ error: `dir: the directory holding the ${dataset} files is required` })
    .min(1, { error: "dir must not be empty" })
    .meta(dirFlag);

/** Which dataset to load and from where. Only Fashion-MNIST has a default location. */
export const datasetSourceSchema = z
  .discriminatedUnion("name", [
    z.strictObject({
      name: z.literal("fashion-mnist"),
      dir: z
        .string()
        .min(1, { error: "dir must not be empty" })
        .default(FASHION_MNIST_DEFAULT_DIR)
        .meta(dirFlag),
    }),
    z.strictObject({ name: z.literal("mnist"), dir: dirField("MNIST") }),
    z.strictObject({ name: z.literal("cifar10"), dir: dirField("CIFAR-10 binary") }),
    z.strictObject({
      name: z.literal("cifar100"),
      dir: dirField("CIFAR-100 binary"),
      /** Fine labels (100 classes) as the paper uses, or coarse superclasses (20). */
      labels: z.enum(["fine", "coarse"]).default("fine"),
    }),
  ])
  .meta(flag("dataset", "which dataset", { valueName: "name" }));

export type DatasetSourceInput = z.input<typeof datasetSourceSchema>;
export type DatasetSource = z.output<typeof datasetSourceSchema>;
export type DatasetSplit = "train" | "test";

export function parseDatasetSource(value: unknown): DatasetSource {
  return parseConfig(datasetSourceSchema, value, "dataset source");
}
