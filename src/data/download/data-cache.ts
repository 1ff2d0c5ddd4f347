import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/**
 * Where downloaded datasets live: $PEMN_DATA, else $XDG_CACHE_HOME/pemn/data, else
 * ~/.cache/pemn/data (a relative XDG_CACHE_HOME is ignored, as the XDG spec says).
 */
export function dataCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PEMN_DATA) return resolve(env.PEMN_DATA);
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache");
  return join(base, "pemn", "data");
}

/** The folder a dataset is fetched into by default: `<cache>/<name>`, what --data-dir names. */
export function cachedDatasetDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(dataCacheRoot(env), name);
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
