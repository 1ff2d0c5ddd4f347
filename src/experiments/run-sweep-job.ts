import { spawn } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
} from "node:fs";
import { fileURLToPath } from "node:url";
import { inspectPemnFile } from "../artifact/pemn-file.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { readInputText } from "../io/read-input-file.js";
import {
  liveLockHolder,
  lockRunDirectory,
  RUN_IN_USE_EXIT_STATUS,
  type RunLock,
  RunLockError,
  type RunSummary,
  runSummarySchema,
} from "../run/index.js";
import { trainsValues } from "../weights/index.js";
import type { SweepRun } from "./expand-sweep.js";
import { readRecord, sweepRunPaths } from "./results-dir.js";
import {
  type Environment,
  type PackedFile,
  type PackSettings,
  type SweepRecord,
  sweepRecordSchema,
} from "./sweep-record.js";

/** What became of one run in this invocation. */
export type JobOutcome =
  /** `elsewhere`: another process finished the run (its record) while this one waited. */
  | { readonly kind: "ok" | "failed"; readonly record: SweepRecord; readonly elsewhere?: boolean }
  /** Another live process (`pid`) holds the run (another sweep, or a `pemn train` left running). */
  | { readonly kind: "busy"; readonly pid: number | null }
  /** The sweep was stopped while the run was going; its checkpoint lets a re-run resume. */
  | { readonly kind: "interrupted" };

export interface JobContext {
  readonly resultsDir: string;
  readonly sweep: string;
  /** Intra-op threads each run gets (PEMN_THREADS). */
  readonly threads: number;
  readonly pack: PackSettings;
  readonly environment: Environment;
  /** Aborting it stops the run's child process. */
  readonly signal: AbortSignal;
  /** When this invocation started (ms since the epoch): a record written since is not redone. */
  readonly startedAt: number;
}

/** The CLI's own entry point, from src/experiments (tsx) or dist/experiments alike. */
const PEMN_BIN = fileURLToPath(new URL("../../bin/pemn.js", import.meta.url));

class ChildFailed extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/**
 * Runs one sweep run as child processes: `pemn train` (resuming a run that was
 * started; skipped when summary.json shows training finished), then `pemn pack` once per value
 * mode, then inspects the files. Its output goes to train.log; result.json is written last.
 */
export async function runSweepJob(run: SweepRun, context: JobContext): Promise<JobOutcome> {
  const paths = sweepRunPaths(context.resultsDir, run.runId);
  mkdirSync(paths.runDir, { recursive: true });
  let lock: RunLock;
  try {
    // The sweep stops its children on SIGINT and SIGTERM itself, then releases the lock.
    lock = lockRunDirectory(paths.runDir, {
      file: paths.lockName,
      releaseOnTermination: false,
    });
  } catch (error) {
    if (error instanceof RunLockError && error.code === "in-use") {
      return { kind: "busy", pid: error.holder.pid };
    }
    throw error;
  }
  try {
    // Finished by another process since this invocation looked: not redone.
    const existing = readRecord(paths.result);
    if (
      existing !== null &&
      (existing.status === "ok" || Date.parse(existing.finished_at) >= context.startedAt)
    ) {
      return { kind: existing.status, record: existing, elsewhere: true };
    }
    return await runLockedJob(run, context, paths);
  } finally {
    lock.release();
  }
}

async function runLockedJob(
  run: SweepRun,
  context: JobContext,
  paths: ReturnType<typeof sweepRunPaths>,
): Promise<JobOutcome> {
  const started = performance.now();
  writeFileAtomic(paths.config, [Buffer.from(`${JSON.stringify(run.config, null, 2)}\n`)]);
  const child = (args: string[]) => runChild(args, paths.log, context);
  const record = (
    fields:
      | { status: "ok"; summary: RunSummary; packed: PackedFile[] }
      | { status: "failed"; error: string },
  ) => {
    // Parsed before it is written: a record the report cannot read is a bug here, not there.
    const result = sweepRecordSchema.parse({
      record_version: 1,
      run_id: run.runId,
      sweep: context.sweep,
      labels: run.labels,
      config: run.config,
      seconds: (performance.now() - started) / 1000,
      environment: context.environment,
      finished_at: new Date().toISOString(),
      ...fields,
    });
    writeFileAtomic(paths.result, [Buffer.from(`${JSON.stringify(result, null, 2)}\n`)]);
    return result;
  };
  try {
    if (!existsSync(paths.summary)) {
      const resume = existsSync(paths.startedRun);
      await child([
        "train",
        "--config",
        paths.config,
        "--run-dir",
        paths.runDir,
        "--progress",
        "lines",
        ...(resume ? ["--resume"] : []),
      ]);
    }
    const summary = runSummarySchema.parse(JSON.parse(readInputText(paths.summary, "record")));
    const packed: PackedFile[] = [];
    // A run of 0 epochs only builds its model (a smoke test): there is nothing to pack.
    for (const values of summary.epochs === 0 ? [] : valueModes(run)) {
      const file = paths.packed(values);
      await child([
        "pack",
        paths.runDir,
        "--output",
        file,
        "--values",
        values,
        "--norm",
        context.pack.norm,
        ...(context.pack.foldNorms ? ["--fold-norms"] : []),
      ]);
      const inspection = inspectPemnFile(file);
      packed.push({
        values,
        bytes: inspection.totalBytes,
        compression_without_norms: inspection.compression.file.withoutNorms.compressionRatio,
        compression_with_norms: inspection.compression.file.withNorms.compressionRatio,
      });
    }
    return { kind: "ok", record: record({ status: "ok", summary, packed }) };
  } catch (error) {
    if (context.signal.aborted) return { kind: "interrupted" };
    // Told by the exit status, never by the message: `pemn train` found the run held.
    if (error instanceof ChildFailed && error.status === RUN_IN_USE_EXIT_STATUS) {
      return { kind: "busy", pid: liveLockHolder(paths.runDir)?.pid ?? null };
    }
    return {
      kind: "failed",
      record: record({ status: "failed", error: (error as Error).message }),
    };
  }
}

/**
 * Seed mode regenerates a PEMN's fixed values; a network whose values were trained (dense,
 * pruned, quantized) can only be packed with its values stored.
 */
function valueModes(run: SweepRun): readonly ("seed" | "stored")[] {
  return trainsValues(run.config.strategy.kind) ? ["stored"] : ["seed", "stored"];
}

/** Runs `pemn <args>` with its output appended to `log`; rejects with its last error line. */
async function runChild(args: string[], log: string, context: JobContext): Promise<void> {
  appendFileSync(log, `# ${new Date().toISOString()} pemn ${args.join(" ")}\n`);
  const offset = statSync(log).size;
  const fd = openSync(log, "a");
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>(
      (resolve, reject) => {
        const process_ = spawn(process.execPath, [PEMN_BIN, ...args], {
          stdio: ["ignore", fd, fd],
          env: { ...process.env, PEMN_THREADS: String(context.threads) },
          signal: context.signal,
          killSignal: "SIGTERM",
        });
        process_.on("error", (error) => {
          if (error.name !== "AbortError") reject(error);
        });
        process_.on("close", (exitCode, exitSignal) =>
          resolve({ code: exitCode, signal: exitSignal }),
        );
      },
    );
    if (code === 0) return;
    const output = readFileSync(log).subarray(offset).toString("utf8");
    throw new ChildFailed(
      lastErrorLine(output) ??
        `pemn ${args[0]} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`,
      code,
    );
  } finally {
    closeSync(fd);
  }
}

/** The CLI prints a failure as "pemn: message" (lines after it belong to it); else the last line. */
function lastErrorLine(output: string): string | undefined {
  const lines = output.split("\n").filter((line) => line.trim() !== "");
  const start = lines.map((line) => line.startsWith("pemn: ")).lastIndexOf(true);
  return start >= 0
    ? lines
        .slice(start)
        .map((line) => line.trim())
        .join(" ")
    : lines.at(-1);
}
