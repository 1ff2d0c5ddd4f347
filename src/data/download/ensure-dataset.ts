import { resolve } from "node:path";
import { FASHION_MNIST_DEFAULT_DIR } from "../dataset-source.js";
import { cachedDatasetDir } from "./data-cache.js";
import { catalogueEntry, catalogueFromEnvironment } from "./dataset-catalogue.js";
import { isFolder, missingFiles } from "./dataset-files.js";
import { SILENT_PROGRESS } from "./download-progress.js";
import { type FetchOptions, fetchDataset } from "./fetch-dataset.js";

/** Where a dataset is found without --data-dir: Debian's dataset-fashion-mnist, no other. */
const DEFAULT_DIRS: Readonly<Record<string, string>> = {
  "fashion-mnist": FASHION_MNIST_DEFAULT_DIR,
};

/**
 * The folder to read a dataset from under --download: `dir` (or the dataset's default
 * folder) when it holds every file, so that nothing is downloaded; else the cache's folder,
 * fetched first unless complete. undefined for a dataset the catalogue does not hold (its
 * loader says what is missing). Files already there are not checksummed again: a user's
 * own copy is used as it is.
 */
export async function ensureDatasetDir(
  name: string,
  dir: string | undefined,
  options: Omit<FetchOptions, "dir"> & {
    /** false: only say which folder would be read, fetching nothing (a sweep's --dry-run). */
    readonly fetch?: boolean;
  } = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const catalogue = options.catalogue ?? catalogueFromEnvironment(env);
  const entry = catalogueEntry(catalogue, name);
  if (entry === undefined) return undefined;
  const given = dir ?? DEFAULT_DIRS[name];
  const cached = cachedDatasetDir(name, env);
  if (given !== undefined) {
    const missing = missingFiles(entry, given);
    if (missing.length === 0) return given;
    if (resolve(given) !== cached) {
      const why = isFolder(given) ? `lacks ${missing.join(", ")}` : "does not exist";
      (options.progress ?? SILENT_PROGRESS).note(`${given} ${why}: reading ${name} from ${cached}`);
    }
  }
  if (options.fetch === false || missingFiles(entry, cached).length === 0) return cached;
  return (await fetchDataset(name, { ...options, catalogue, dir: cached })).dir;
}
