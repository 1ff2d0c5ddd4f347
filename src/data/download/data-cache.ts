import { join, resolve } from "node:path";
import { dataCacheDir } from "../data-cache.js";

/** The folder a dataset is fetched into by default: `<cache>/<name>`, what --data-dir names. */
export function cachedDatasetDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(dataCacheDir(env), name);
}

/**
 * Where a dataset's files are downloaded before they are checked and moved into `datasetDir`
 * (or unpacked into it): a sibling, `<dir>.download`, on the same file system so that the
 * move is a rename. A file saved there by hand is checked and used as if downloaded.
 */
export function downloadDir(datasetDir: string): string {
  return `${resolve(datasetDir)}.download`;
}

/** The name a file has while it is being downloaded: never the name a loader looks for. */
export function partialName(file: string): string {
  return `${file}.part`;
}
