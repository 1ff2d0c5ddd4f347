import { mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { makeDirectory } from "../../io/atomic-write.js";
import { lockRunDirectory, type RunLock, RunLockError } from "../../run/run-lock.js";
import { onTermination } from "../../run/termination-cleanup.js";
import { cachedDatasetDir, downloadDir, partialName } from "./data-cache.js";
import {
  type Catalogue,
  type CatalogueEntry,
  type CatalogueFile,
  catalogueEntry,
  catalogueFromEnvironment,
  DOWNLOADABLE_DATASETS,
} from "./dataset-catalogue.js";
import { isFile, isFolder, missingFiles } from "./dataset-files.js";
import { DownloadError, type DownloadProblem } from "./download-error.js";
import { type DownloadProgress, SILENT_PROGRESS } from "./download-progress.js";
import { extractArchive } from "./extract-archive.js";
import { downloadToFile } from "./http-download.js";
import { md5OfFile } from "./md5-file.js";

export interface FetchOptions {
  /** The catalogue (default: the official one, as PEMN_DATA_CATALOGUE and PEMN_DATA_MIRROR change it). */
  readonly catalogue?: Catalogue;
  /** The dataset's folder, what --data-dir then names (default `<cache>/<name>`). */
  readonly dir?: string;
  /** Where PEMN_DATA, XDG_CACHE_HOME, PEMN_DATA_* are read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Seconds without a byte before a transfer is given up (default PEMN_DATA_STALL_TIMEOUT, else 60). */
  readonly stallTimeoutSeconds?: number;
  /** Further tries of a location after a dropped or stalled transfer, each resuming (default 2). */
  readonly retries?: number;
  /** Wait before a retry, in ms, times the try's number (default 1000). */
  readonly retryDelayMs?: number;
  readonly progress?: DownloadProgress;
}

export interface FetchResult {
  readonly name: string;
  /** The dataset's folder, complete. */
  readonly dir: string;
  /** The files transferred over the network this time ([] when everything was there). */
  readonly downloaded: readonly string[];
}

const DEFAULT_STALL_TIMEOUT_SECONDS = 60;
const DEFAULT_RETRIES = 2;
/** Connection failures that another try a second later would meet again. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
]);
/** How often a process waiting for another one's fetch of the same folder looks again. */
const LOCK_POLL_MS = 500;

/**
 * Makes `dir` (default `<cache>/<name>`) a complete, verified copy of a catalogue dataset:
 * each file downloaded into `<dir>.download/` as `<file>.part` (resumed if an earlier attempt
 * left one), its md5 checked, then renamed into `dir` ("files" layout) or unpacked into a
 * temporary folder whose top folder is renamed to `dir` ("archive" layout). A folder that
 * exists is therefore complete, and a partial download never has a name a loader reads.
 * One process at a time fetches into a folder; others wait for it.
 */
export async function fetchDataset(name: string, options: FetchOptions = {}): Promise<FetchResult> {
  const env = options.env ?? process.env;
  const catalogue = options.catalogue ?? catalogueFromEnvironment(env);
  const entry = catalogueEntry(catalogue, name);
  if (entry === undefined) {
    throw new DownloadError(
      "unknown-dataset",
      `no dataset "${name}" to download; known: ${DOWNLOADABLE_DATASETS.filter((known) => catalogue[known]).join(", ")}`,
    );
  }
  const dir = resolve(options.dir ?? cachedDatasetDir(name, env));
  const progress = options.progress ?? SILENT_PROGRESS;
  const context: FetchContext = {
    entry,
    dir,
    work: downloadDir(dir),
    progress,
    stallTimeoutMs: 1000 * (options.stallTimeoutSeconds ?? stallTimeoutFromEnv(env)),
    retries: options.retries ?? DEFAULT_RETRIES,
    retryDelayMs: options.retryDelayMs ?? 1000,
    downloaded: [],
    again: `pemn data fetch ${name}${options.dir === undefined ? "" : ` --dir ${dir}`}`,
  };
  // An unpacked archive's folder exists only once complete: nothing to look at again.
  if (entry.layout.kind === "archive" && missingFiles(entry, dir).length === 0) {
    return { name, dir, downloaded: [] };
  }
  makeDirectory(dirname(dir));
  const lock = await lockFolder(dir, progress);
  try {
    if (entry.layout.kind === "files") await fetchFiles(context);
    else await fetchArchive(context, entry.layout);
  } finally {
    removeIfEmpty(context.work);
    lock.release();
  }
  return { name, dir, downloaded: context.downloaded };
}

interface FetchContext {
  readonly entry: CatalogueEntry & { name: string };
  readonly dir: string;
  /** `<dir>.download`: partial and unchecked files, unpacking. */
  readonly work: string;
  readonly progress: DownloadProgress;
  readonly stallTimeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly downloaded: string[];
  /** The command that fetches into the same folder, for the error's advice. */
  readonly again: string;
}

/** Each file checked (or fetched) and moved into the dataset's folder. */
async function fetchFiles(context: FetchContext): Promise<void> {
  const { entry, dir, progress } = context;
  makeDirectory(dir);
  for (const file of entry.files) {
    const target = join(dir, file.name);
    if (isFile(target)) {
      const md5 = await md5OfFile(target);
      if (md5 === file.md5) continue;
      progress.note(`${target}: md5 ${md5}, not the published ${file.md5}: fetching it again`);
    } else if (file.name.endsWith(".gz") && isFile(join(dir, file.name.slice(0, -3)))) {
      continue; // inflated by someone: the loader reads it, and there is no checksum for it
    }
    const verified = await obtainFile(context, file);
    renameSync(verified, target);
  }
  removeIfEmpty(context.work);
}

/** The archive fetched and checked, unpacked aside, and its top folder renamed into place. */
async function fetchArchive(
  context: FetchContext,
  layout: { format: "tar.gz" | "zip"; root: string },
): Promise<void> {
  const { entry, dir, work, progress } = context;
  if (isFolder(dir)) {
    const missing = missingFiles(entry, dir);
    if (missing.length === 0) return; // another process finished it while this one waited
    if (readdirSync(dir).length > 0) {
      throw new DownloadError(
        "target-in-the-way",
        `${dir} exists but is no complete ${entry.title} (it lacks ${missing.join(", ")}): move it away, or fetch into another folder (--dir)`,
        { file: dir },
      );
    }
    rmdirSync(dir);
  }
  const [file] = entry.files as [CatalogueFile];
  const archive = await obtainFile(context, file);
  removeStaleUnpacking(work);
  const unpacking = mkdtempSync(join(work, "unpacking-"));
  const forget = onTermination(() => rmSync(unpacking, { recursive: true, force: true }));
  try {
    progress.note(`unpacking ${file.name}`);
    await extractArchive(archive, layout.format, unpacking);
    const root = join(unpacking, layout.root);
    if (!isFolder(root)) {
      throw new DownloadError("bad-archive", `${archive}: holds no ${layout.root}/ folder`, {
        file: archive,
      });
    }
    const missing = missingFiles(entry, root);
    if (missing.length > 0) {
      throw new DownloadError(
        "bad-archive",
        `${archive}: its ${layout.root}/ folder lacks ${missing.join(", ")}`,
        { file: archive },
      );
    }
    renameSync(root, dir);
  } finally {
    rmSync(unpacking, { recursive: true, force: true });
    forget();
  }
  // The unpacked folder is the dataset now; the archive would only double the disk it takes.
  rmSync(archive, { force: true });
  removeIfEmpty(work);
}

/**
 * A verified copy of `file` in the work folder: one saved there by hand (or by an earlier
 * run) if its md5 matches, else downloaded from each location in turn, resuming a dropped
 * or stalled transfer up to `retries` times. Throws "failed", naming every location's
 * reason and where to put the file by hand.
 */
async function obtainFile(context: FetchContext, file: CatalogueFile): Promise<string> {
  const { work, progress } = context;
  makeDirectory(work);
  const target = join(work, file.name);
  if (isFile(target)) {
    const md5 = await md5OfFile(target);
    if (md5 === file.md5) return target;
    progress.note(`${target}: md5 ${md5}, not the published ${file.md5}: downloading it again`);
    rmSync(target, { force: true });
  }
  const part = join(work, partialName(file.name));
  const failures: string[] = [];
  const codes = new Set<DownloadProblem>();
  for (const url of file.urls) {
    // One try more than the retries when resumed bytes turn out wrong (see below).
    let tries = context.retries + 1;
    for (let attempt = 0; attempt < tries; attempt++) {
      if (attempt > 0) await sleep(context.retryDelayMs * attempt);
      let resumed = false;
      try {
        const result = await downloadToFile(url, part, {
          stallTimeoutMs: context.stallTimeoutMs,
          expectedBytes: file.bytes,
          onStart: ({ from, total }) => progress.start(file.name, url, from, total),
          onData: (bytes) => progress.advance(bytes),
        });
        resumed = result.resumed;
      } catch (error) {
        progress.stop();
        if (!(error instanceof DownloadError)) throw error; // the disk's, not the network's
        failures.push(error.message);
        codes.add(error.code);
        if (error.code === "size-mismatch") rmSync(part, { force: true });
        // A dropped or stalled transfer is tried again from where it stopped; a host that
        // cannot be reached at all (offline, a wrong name) is not waited for.
        const system = (error.cause as NodeJS.ErrnoException | undefined)?.code;
        if (system !== undefined && UNREACHABLE.has(system)) break;
        if (error.code === "network" || error.code === "stalled") continue;
        break;
      }
      progress.stop();
      const md5 = await md5OfFile(part);
      if (md5 === file.md5) {
        renameSync(part, target);
        context.downloaded.push(file.name);
        progress.note(`${file.name}: md5 ${md5} matches`);
        return target;
      }
      rmSync(part, { force: true });
      failures.push(
        `${url}: md5 of the download is ${md5}, but ${file.name} is published with ${file.md5}`,
      );
      codes.add("checksum-mismatch");
      // Resumed bytes may come from another version of the file: once more, whole.
      if (!resumed || tries > context.retries + 1) break;
      tries++;
    }
  }
  // One reason everywhere is that reason; several are "failed".
  const [only] = codes;
  throw new DownloadError(
    codes.size === 1 && only !== undefined ? only : "failed",
    [
      `could not download ${file.name} (md5 ${file.md5}${file.bytes ? `, ${file.bytes} bytes` : ""}) of ${context.entry.title}:`,
      ...failures.map((failure) => `  ${failure}`),
      `Download it by hand from ${file.urls.join(" or ")} and save it as ${target}; then \`${context.again}\` (or --download) checks its md5 and ${context.entry.layout.kind === "archive" ? "unpacks it" : "moves it into place"}.`,
    ].join("\n"),
    { url: file.urls[0], file: target },
  );
}

/** Takes `<dir>`'s fetch lock beside it, waiting while another live process holds it. */
async function lockFolder(dir: string, progress: DownloadProgress): Promise<RunLock> {
  const file = `.${basename(dir)}.fetch.lock`;
  let told = false;
  for (;;) {
    try {
      return lockRunDirectory(dirname(dir), { file });
    } catch (error) {
      if (!(error instanceof RunLockError) || error.code !== "in-use") throw error;
      if (!told) {
        progress.note(
          `waiting for pemn process ${error.holder.pid}, which is fetching into ${dir}`,
        );
        told = true;
      }
      await sleep(LOCK_POLL_MS);
    }
  }
}

/** Unpacking folders a killed process left (this one holds the lock: none is in use). */
function removeStaleUnpacking(work: string): void {
  for (const name of readdirSync(work)) {
    if (name.startsWith("unpacking-")) rmSync(join(work, name), { recursive: true, force: true });
  }
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {} // not empty (a partial download kept for later), or already gone
}

/** PEMN_DATA_STALL_TIMEOUT in seconds (> 0), else the default. */
export function stallTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.PEMN_DATA_STALL_TIMEOUT;
  if (text === undefined || text === "") return DEFAULT_STALL_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`PEMN_DATA_STALL_TIMEOUT must be a number of seconds > 0, got "${text}"`);
  }
  return seconds;
}
