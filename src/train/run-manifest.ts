import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { crc32 } from "../checksum/crc32.js";
import { parseConfig } from "../config/parse-config.js";
import { appendFileDurable, writeFileAtomic } from "../io/atomic-write.js";
import { faultPoint } from "../io/fault-injection.js";
import { readInputText } from "../io/read-input-file.js";
import { type Checkpoint, readTrainingCheckpoint } from "./checkpoint.js";
import { CheckpointError } from "./checkpoint-error.js";
import type { EpochMetrics } from "./epoch-metrics.js";

/*
 * A run directory's committed state (docs/training.md, "Run directory"): state.json, written
 * last and atomically after each epoch, names the epoch and its last and best checkpoint
 * files (epoch-<n>.ckpt, never overwritten in place) with their lengths and CRC-32s. A crash
 * at any point leaves the old state.json, whose files are still there, or the new one.
 * Files it does not name are leftovers of an uncommitted epoch or of a superseded one.
 */
export const RUN_STATE_FILE = "state.json";
export const METRICS_FILE = "metrics.jsonl";
/** What a run directory of pemn before state.json held; recognised to refuse it clearly. */
const LEGACY_CHECKPOINT = "last.ckpt";

/** The name of an epoch's checkpoint file. */
export const CHECKPOINT_NAME = /^epoch-[1-9]\d*\.ckpt$/;

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
export type CheckpointChoice = "last" | "best";

/** The run's committed state, or null if no epoch was committed yet. Errors name the file. */
export function readRunManifest(runDir: string): RunManifest | null {
  const file = join(runDir, RUN_STATE_FILE);
  let text: string;
  try {
    text = readInputText(file, "record");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    if (existsSync(join(runDir, LEGACY_CHECKPOINT))) {
      throw new CheckpointError(
        join(runDir, LEGACY_CHECKPOINT),
        `was written by an older pemn (no ${RUN_STATE_FILE}, checkpoint format 1 without checksums); this pemn cannot resume, evaluate or pack it: train the run again`,
      );
    }
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(file, `is not valid JSON (${(error as Error).message})`);
  }
  return parseConfig(
    runManifestSchema,
    parsed,
    "run state",
    (message) => new CheckpointError(file, message),
  );
}

/** Whether runDir holds a committed run (or one of an older pemn). */
export function holdsCommittedRun(runDir: string): boolean {
  return existsSync(join(runDir, RUN_STATE_FILE)) || existsSync(join(runDir, LEGACY_CHECKPOINT));
}

/** The run's last or best checkpoint, checked against state.json (file, length, CRC, epoch). */
export function readRunCheckpoint(runDir: string, which: CheckpointChoice): Checkpoint {
  const manifest = readRunManifest(runDir);
  if (manifest === null) {
    throw new CheckpointError(
      join(runDir, RUN_STATE_FILE),
      "no such file: the run has not completed an epoch",
    );
  }
  return readReferencedCheckpoint(runDir, manifest[which]);
}

/**
 * Reads a checkpoint file of a run directory given directly: if state.json names it, it is
 * checked against it; any other file is read on its own checks alone.
 */
export function readCheckpointOfRun(runDir: string, file: string): Checkpoint {
  const manifest = readRunManifest(runDir);
  const reference = [manifest?.last, manifest?.best].find(
    (candidate) => candidate !== undefined && resolve(runDir, candidate.file) === resolve(file),
  );
  return reference ? readReferencedCheckpoint(runDir, reference) : readTrainingCheckpoint(file);
}

function readReferencedCheckpoint(runDir: string, reference: RunManifest["last"]): Checkpoint {
  const file = join(runDir, reference.file);
  const checkpoint = readTrainingCheckpoint(file, reference);
  if (checkpoint.run.epochsCompleted !== reference.epoch) {
    throw new CheckpointError(
      file,
      `holds epoch ${checkpoint.run.epochsCompleted}, ${RUN_STATE_FILE} says epoch ${reference.epoch}`,
    );
  }
  return checkpoint;
}

/**
 * Commits an epoch: its checkpoint to a new file, its metrics line, then state.json (the
 * commit point), then removes the checkpoints the new state no longer names.
 */
export function commitEpoch(
  runDir: string,
  previous: RunManifest | null,
  epoch: { record: EpochMetrics; checkpoint: readonly Uint8Array[]; improved: boolean },
): RunManifest {
  const number = epoch.record.epoch;
  const file = `epoch-${number}.ckpt`;
  writeFileAtomic(join(runDir, file), epoch.checkpoint);
  appendMetrics(join(runDir, METRICS_FILE), epoch.record);
  const reference = {
    file,
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
  writeFileAtomic(join(runDir, RUN_STATE_FILE), [
    Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
  ]);
  removeUnreferencedCheckpoints(runDir, manifest);
  return manifest;
}

/** Deletes epoch-<n>.ckpt files `manifest` does not name (all of them if it is null). */
export function removeUnreferencedCheckpoints(runDir: string, manifest: RunManifest | null): void {
  const kept = new Set([manifest?.last.file, manifest?.best.file]);
  for (const name of readdirSync(runDir)) {
    if (!CHECKPOINT_NAME.test(name) || kept.has(name)) continue;
    faultPoint("unlink", name);
    rmSync(join(runDir, name), { force: true });
  }
}

/** Adds one epoch's line to a JSON-lines metrics file, flushed to disk at once. */
export function appendMetrics(path: string, record: EpochMetrics): void {
  appendFileDurable(path, `${JSON.stringify(record)}\n`);
}

/**
 * Rewrites the metrics file as exactly `records`: on resume it drops lines of epochs the
 * checkpoint does not hold (a run killed between its checkpoint and its metrics line).
 */
export function rewriteMetrics(path: string, records: readonly EpochMetrics[]): void {
  const text = records.map((record) => `${JSON.stringify(record)}\n`).join("");
  writeFileAtomic(path, [Buffer.from(text, "utf8")]);
}
