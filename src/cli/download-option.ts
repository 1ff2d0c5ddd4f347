import { Option } from "commander";
import {
  createDownloadProgress,
  type DownloadProgressMode,
  ensureDatasetDir,
} from "../data/download/index.js";
import type { SweepRun } from "../experiments/expand-sweep.js";
import { runId } from "../experiments/run-id.js";
import { deepMerge } from "../run/config-file.js";

/** --download for train, eval and sweep: the flag and its help, once. */
export function downloadOption(): Option {
  return new Option(
    "--download",
    "fetch the dataset into the cache ($PEMN_DATA, `pemn data fetch`) when its folder lacks files, and read it there",
  );
}

interface SourceLike {
  readonly name?: unknown;
  readonly dir?: unknown;
}

/**
 * The folder --download reads a dataset source ({ name, dir }) from: the given (or default)
 * one when complete, else the cache's, fetched first; undefined for a name the catalogue
 * does not hold (its loader says what is missing).
 */
async function downloadedDir(
  source: SourceLike,
  progress: DownloadProgressMode,
  fetch = true,
): Promise<string | undefined> {
  const name = typeof source.name === "string" ? source.name : "fashion-mnist";
  const dir = typeof source.dir === "string" ? source.dir : undefined;
  return ensureDatasetDir(name, dir, { progress: createDownloadProgress(progress), fetch });
}

/** A dataset source with `dir` set to the folder --download reads (see downloadedDir). */
export async function downloadedSource<T extends SourceLike>(
  source: T,
  progress: DownloadProgressMode = "auto",
): Promise<T> {
  const dir = await downloadedDir(source, progress);
  return dir === undefined ? source : { ...source, dir };
}

/** A run config, as read from a file and flags before validation, with its data folder downloaded. */
export async function withDownloadedData(
  config: unknown,
  progress: DownloadProgressMode = "auto",
): Promise<unknown> {
  const data = (config as { data?: { source?: unknown } } | null)?.data;
  const source = typeof data?.source === "object" && data.source !== null ? data.source : {};
  const dir = await downloadedDir(source, progress);
  return dir === undefined ? config : deepMerge(config, { data: { source: { dir } } });
}

/**
 * A sweep's runs with each dataset folder downloaded: as `--set data.source.dir=<folder>`
 * for the runs of each dataset whose folder lacks files (their run ids follow their configs).
 * `fetch` false (--dry-run) names the folders without downloading anything.
 */
export async function withDownloadedRuns(
  runs: readonly SweepRun[],
  fetch = true,
): Promise<SweepRun[]> {
  const folders = new Map<string, string | undefined>();
  for (const run of runs) {
    const { source } = run.config.data;
    const key = JSON.stringify([source.name, source.dir]);
    if (!folders.has(key)) folders.set(key, await downloadedDir(source, "auto", fetch));
  }
  return runs.map((run) => {
    const { source } = run.config.data;
    const dir = folders.get(JSON.stringify([source.name, source.dir]));
    if (dir === undefined || dir === source.dir) return run;
    const config = { ...run.config, data: { ...run.config.data, source: { ...source, dir } } };
    return { ...run, config, runId: runId(config) };
  });
}
