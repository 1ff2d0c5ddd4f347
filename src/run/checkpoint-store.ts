import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { crc32 } from "../checksum/crc32.js";
import { parseConfig } from "../config/parse-config.js";
import {
  appendFileDurable,
  makeDirectory,
  removeStaleTemporaries,
  writeFileAtomic,
} from "../io/atomic-write.js";
import { faultPoint } from "../io/fault-injection.js";
import { readInputText } from "../io/read-input-file.js";
import {
  type Checkpoint,
  CheckpointError,
  type EpochMetrics,
  readTrainingCheckpoint,
} from "../train/index.js";
import { RunDirectoryError } from "./run-directory-error.js";
import { CHECKPOINT_NAME, checkpointName, runPaths } from "./run-paths.js";

/*
 * A directory's committed epochs (docs/training.md, "Run directory"): a run's own, and its
 * pretrain/ phase's. state.json, written last and atomically after each epoch, names the epoch
 * and its last and best checkpoint files (epoch-<n>.ckpt, never overwritten in place) with
 * their lengths and CRC-32s. A crash at any point leaves the old state.json, whose files are
 * still there, or the new one. Files it does not name are leftovers of an uncommitted epoch
 * or of a superseded one.
 */

const checkpointReference = z.strictObject({
  file: z.string().regex(CHECKPOINT_NAME),
  epoch: z.number().int().positive(),
  bytes: z.number().int().positive(),
  crc32: z.number().int().min(0).max(0xffffffff),
});

const runManifestSchema = z.strictObject({
  format: z.literal(1),
  /** Epochs completed; `last` is this epoch's checkpoint. */
  epoch: z.number().int().positive(),
  last: checkpointReference,
  /** The epoch with the best validation accuracy (may be the same file as last). */
  best: checkpointReference,
});

export type RunManifest = z.infer<typeof runManifestSchema>;

/** Which checkpoint to read: state.json's last or best, or a checkpoint file by its path. */
export type CheckpointChoice = "last" | "best" | { readonly file: string };

/** The committed state in `dir`, or null if no epoch was committed yet. Errors name the file. */
export function readRunManifest(dir: string): RunManifest | null {
  const paths = runPaths(dir);
  let text: string;
  try {
    text = readInputText(paths.state, "record");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    if (existsSync(paths.legacyCheckpoint)) {
      throw new CheckpointError(
        paths.legacyCheckpoint,
        "was written by an older pemn (no state.json, checkpoint format 1 without checksums); this pemn cannot resume, evaluate or pack it: train the run again",
      );
    }
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(paths.state, `is not valid JSON (${(error as Error).message})`);
  }
  return parseConfig(
    runManifestSchema,
    parsed,
    "run state",
    (message) => new CheckpointError(paths.state, message),
  );
}

/**
 * Reads a checkpoint of `dir`: state.json's last or best one, checked against it (file,
 * length, CRC, epoch), or a file given by path, checked against state.json if it names it
 * and on its own checks alone otherwise.
 */
export function readCheckpoint(dir: string, choice: CheckpointChoice): Checkpoint {
  const manifest = readRunManifest(dir);
  if (typeof choice === "object") {
    const reference = [manifest?.last, manifest?.best].find(
      (candidate) =>
        candidate !== undefined && resolve(dir, candidate.file) === resolve(choice.file),
    );
    return reference ? readReferenced(dir, reference) : readTrainingCheckpoint(choice.file);
  }
  if (manifest === null) {
    throw new CheckpointError(
      runPaths(dir).state,
      "no such file: the run has not completed an epoch",
    );
  }
  return readReferenced(dir, manifest[choice]);
}

function readReferenced(dir: string, reference: RunManifest["last"]): Checkpoint {
  const file = join(dir, reference.file);
  const checkpoint = readTrainingCheckpoint(file, reference);
  if (checkpoint.run.epochsCompleted !== reference.epoch) {
    throw new CheckpointError(
      file,
      `holds epoch ${checkpoint.run.epochsCompleted}, state.json says epoch ${reference.epoch}`,
    );
  }
  return checkpoint;
}

/**
 * A new run needs `dir` free: no committed run there (state.json, or an older pemn's
 * last.ckpt, or any of `runMarks`), and no file under a name the run would write or delete
 * (`written`, metrics.jsonl, epoch-<n>.ckpt); other files are left alone. The one check of
 * "a run already lives here", for a run directory and for a checkpoint directory alike.
 */
export function checkFreeForNewRun(
  dir: string,
  names: { readonly runMarks: readonly string[]; readonly written: readonly string[] },
): void {
  if (!existsSync(dir)) return;
  const paths = runPaths(dir);
  const marks = [...names.runMarks.map((n) => join(dir, n)), paths.state, paths.legacyCheckpoint];
  const present = marks.find((file) => existsSync(file));
  if (present !== undefined) {
    throw new RunDirectoryError(
      "run-exists",
      `${dir}: a run already lives here (it holds ${basename(present)}): pass --resume to continue it, or choose another run directory`,
    );
  }
  const written = new Set([paths.metrics, ...names.written.map((n) => join(dir, n))]);
  const foreign = readdirSync(dir).find(
    (name) => written.has(join(dir, name)) || CHECKPOINT_NAME.test(name),
  );
  if (foreign !== undefined) {
    throw new RunDirectoryError(
      "foreign-file",
      `${dir}: holds ${foreign} but no run; a new run would overwrite or delete it: move it away or choose another run directory`,
    );
  }
}

/**
 * Makes `dir` ready for epochs to be committed, by the one process that owns it: creates it,
 * and removes what killed writes left (temporary files, checkpoints state.json does not name,
 * and, with no epoch committed, the metrics lines of an epoch that was not). Returns the
 * committed state.
 */
export function prepareCheckpointDirectory(dir: string): RunManifest | null {
  makeDirectory(dir);
  const manifest = readRunManifest(dir);
  removeStaleTemporaries(dir);
  removeUnreferencedCheckpoints(dir, manifest);
  if (manifest === null) rmSync(runPaths(dir).metrics, { force: true });
  return manifest;
}

/**
 * Commits an epoch: its checkpoint to a new file, its metrics line, then state.json (the
 * commit point), then removes the checkpoints the new state no longer names.
 */
export function commitEpoch(
  dir: string,
  previous: RunManifest | null,
  epoch: { record: EpochMetrics; checkpoint: readonly Uint8Array[]; improved: boolean },
): RunManifest {
  const paths = runPaths(dir);
  const number = epoch.record.epoch;
  writeFileAtomic(paths.checkpoint(number), epoch.checkpoint);
  appendFileDurable(paths.metrics, metricsLine(epoch.record));
  const reference = {
    file: checkpointName(number),
    epoch: number,
    bytes: epoch.checkpoint.reduce((sum, chunk) => sum + chunk.byteLength, 0),
    crc32: epoch.checkpoint.reduce((crc, chunk) => crc32(chunk, crc), 0),
  };
  const manifest: RunManifest = {
    format: 1,
    epoch: number,
    last: reference,
    best: epoch.improved || previous === null ? reference : previous.best,
  };
  writeFileAtomic(paths.state, [Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)]);
  removeUnreferencedCheckpoints(dir, manifest);
  return manifest;
}

/** Deletes epoch-<n>.ckpt files `manifest` does not name (all of them if it is null). */
export function removeUnreferencedCheckpoints(dir: string, manifest: RunManifest | null): void {
  const kept = new Set([manifest?.last.file, manifest?.best.file]);
  for (const name of readdirSync(dir)) {
    if (!CHECKPOINT_NAME.test(name) || kept.has(name)) continue;
    faultPoint("unlink", name);
    rmSync(join(dir, name), { force: true });
  }
}

/**
 * Rewrites the metrics file as exactly `records`: on resume it drops lines of epochs the
 * checkpoint does not hold (a run killed between its checkpoint and its metrics line).
 */
export function rewriteMetrics(dir: string, records: readonly EpochMetrics[]): void {
  writeFileAtomic(runPaths(dir).metrics, [Buffer.from(records.map(metricsLine).join(""), "utf8")]);
}

function metricsLine(record: EpochMetrics): string {
  return `${JSON.stringify(record)}\n`;
}
