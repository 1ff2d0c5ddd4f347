import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { readInputText } from "../io/read-input-file.js";
import { runPaths } from "../run/index.js";
import { type SweepRecord, sweepRecordSchema } from "./sweep-record.js";

/** The files of a results directory (src/experiments/sweep-record.ts describes them). */
export function resultsPaths(dir: string) {
  return {
    description: join(dir, "sweep.json"),
    results: join(dir, "results.jsonl"),
    invocations: join(dir, "invocations.jsonl"),
    runs: join(dir, "runs"),
  };
}

/** A sweep's lock on one run's directory, beside `pemn train`'s run.lock. */
export const SWEEP_LOCK_FILE = "sweep.lock";

/** The files the sweep keeps in one run's directory, beside those `pemn train` writes. */
export function sweepRunPaths(dir: string, runId: string) {
  const runDir = join(resultsPaths(dir).runs, runId);
  return {
    runDir,
    /** The run's complete config, given to `pemn train --config`. */
    config: join(runDir, "run-config.json"),
    log: join(runDir, "train.log"),
    summary: runPaths(runDir).summary,
    /** Written by pemn train once a run has started (and kept once it committed anything). */
    startedRun: runPaths(runDir).config,
    result: join(runDir, "result.json"),
    /** Held by the sweep working on the run (src/run/run-lock.ts), so that two never both do. */
    lockName: SWEEP_LOCK_FILE,
    packed: (values: "seed" | "stored") => join(runDir, `model-${values}.pemn`),
  };
}

/**
 * Where a run stands: `done` (result.json says ok), `failed` (result.json says failed; a
 * re-run retries it), `partial` (a started run or a summary and no result: it resumes), `new`.
 */
export type RunState = "done" | "failed" | "partial" | "new";

export function runState(dir: string, runId: string): RunState {
  const paths = sweepRunPaths(dir, runId);
  const record = readRecord(paths.result);
  if (record) return record.status === "ok" ? "done" : "failed";
  return existsSync(paths.startedRun) || existsSync(paths.summary) ? "partial" : "new";
}

/** A run's result.json, or null when it is absent or unreadable (being written, or torn). */
export function readRecord(file: string): SweepRecord | null {
  let text: string;
  try {
    text = readInputText(file, "record");
  } catch {
    return null;
  }
  try {
    const parsed = sweepRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Every runs/<id>/result.json, sorted by run_id. A record being written is either seen whole
 * or not at all (result.json is written atomically).
 */
export function readRecords(dir: string): SweepRecord[] {
  const { runs } = resultsPaths(dir);
  const ids = existsSync(runs) ? readdirSync(runs).sort() : [];
  return ids.flatMap((id) => readRecord(sweepRunPaths(dir, id).result) ?? []);
}

/**
 * Rebuilds results.jsonl from the run directories, atomically. Shards finishing at once each
 * rewrite it whole from what is on disk, so the last one's view, the most complete, wins.
 */
export function collectResults(dir: string): SweepRecord[] {
  const paths = resultsPaths(dir);
  const records = readRecords(dir);
  writeFileAtomic(paths.results, [
    Buffer.from(records.map((record) => `${JSON.stringify(record)}\n`).join("")),
  ]);
  return records;
}
