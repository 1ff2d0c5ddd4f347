import { mkdirSync } from "node:fs";
import { appendFileDurable, writeFileAtomic } from "../io/atomic-write.js";
import { liveLockHolder } from "../run/index.js";
import { formatPercent } from "../text/percent.js";
import { estimateRunSeconds, formatDuration, measuredSpeeds } from "./estimate-run.js";
import { describeLabels, type SweepRun } from "./expand-sweep.js";
import {
  collectResults,
  type RunState,
  readRecords,
  resultsPaths,
  runState,
  sweepRunPaths,
} from "./results-dir.js";
import { runSweepJob } from "./run-sweep-job.js";
import type { Environment, SweepDescription } from "./sweep-record.js";
import type { SweepSpec } from "./sweep-spec.js";

/** Shard i of n (1-based): the runs whose index % n is i - 1. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface SweepOptions {
  readonly spec: SweepSpec;
  /** The spec's runs (expandSweep), in order. */
  readonly runs: readonly SweepRun[];
  readonly resultsDir: string;
  readonly jobs: number;
  /** Cores to split between the jobs. */
  readonly cores: number;
  readonly shard: Shard | null;
  /** The command as typed, for invocations.jsonl. */
  readonly command: string;
  readonly environment: (threads: number) => Environment;
  /** Aborting it stops the running children; their checkpoints stay for a re-run. */
  readonly signal: AbortSignal;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
}

export interface SweepOutcome {
  readonly done: number;
  readonly failed: number;
  readonly busy: number;
  readonly interrupted: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new Error(`--shard ${text}: expected i/n with 1 <= i <= n, e.g. 2/8`);
  return { index, count };
}

export function threadsPerJob(cores: number, jobs: number): number {
  return Math.max(1, Math.floor(cores / jobs));
}

export function selectShard(runs: readonly SweepRun[], shard: Shard | null): SweepRun[] {
  return runs.filter((run) => shard === null || run.index % shard.count === shard.index - 1);
}

export function describeSweep(spec: SweepSpec, runs: number): SweepDescription {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    figure: spec.figure,
    axes: Object.entries(spec.axes).map(([name, values]) => ({
      name,
      values: values.map((value) => value.label),
    })),
    runs,
    pack: spec.pack,
  };
}

export interface PlannedRun {
  readonly run: SweepRun;
  readonly state: RunState;
  /** Estimated seconds with the threads a job gets. */
  readonly estimate: number;
}

export type PlanOptions = Pick<SweepOptions, "runs" | "jobs" | "cores" | "shard"> & {
  /** null: no results directory yet (every run new, no measured speeds). */
  readonly resultsDir: string | null;
};

/** The runs of this invocation (its shard), where each stands and how long it may take. */
export function planSweep(options: PlanOptions) {
  const { resultsDir } = options;
  const threads = threadsPerJob(options.cores, options.jobs);
  const speeds = measuredSpeeds(resultsDir === null ? [] : readRecords(resultsDir));
  const planned: PlannedRun[] = selectShard(options.runs, options.shard).map((run) => ({
    run,
    state: resultsDir === null ? "new" : runState(resultsDir, run.runId),
    estimate: estimateRunSeconds(run.config, threads, speeds),
  }));
  const left = planned.filter((entry) => entry.state !== "done");
  const seconds = left.reduce((sum, entry) => sum + entry.estimate, 0) / options.jobs;
  return { threads, planned, seconds };
}

/** How often a sweep looks whether the runs other processes hold were let go. */
const HELD_POLL_MS = 500;

/** The runs of `held` that no live process holds any more, once there is one ([] if aborted). */
async function waitUntilAnyFree(
  resultsDir: string,
  held: readonly PlannedRun[],
  signal: AbortSignal,
): Promise<PlannedRun[]> {
  while (!signal.aborted) {
    const free = held.filter((entry) => {
      const paths = sweepRunPaths(resultsDir, entry.run.runId);
      return (
        liveLockHolder(paths.runDir, paths.lockName) === null &&
        liveLockHolder(paths.runDir) === null
      );
    });
    if (free.length > 0) return free;
    await new Promise((resolve) => setTimeout(resolve, HELD_POLL_MS));
  }
  return [];
}

/**
 * Runs the sweep: writes sweep.json, appends the invocation, runs every run not done yet
 * (`jobs` at once, the cores split between them), then rebuilds results.jsonl.
 */
export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const { planned, threads } = planSweep(options);
  const paths = resultsPaths(options.resultsDir);
  mkdirSync(paths.runs, { recursive: true });
  const description = describeSweep(options.spec, options.runs.length);
  writeFileAtomic(paths.description, [Buffer.from(`${JSON.stringify(description, null, 2)}\n`)]);
  const environment = options.environment(threads);
  appendFileDurable(
    paths.invocations,
    `${JSON.stringify({
      command: options.command,
      started_at: new Date().toISOString(),
      jobs: options.jobs,
      shard: options.shard && `${options.shard.index}/${options.shard.count}`,
      environment,
    })}\n`,
  );
  const queue = planned.filter((entry) => entry.state !== "done");
  const counts = { done: planned.length - queue.length, failed: 0, busy: 0, interrupted: 0 };
  const started = performance.now();
  let estimatedLeft = queue.reduce((sum, entry) => sum + entry.estimate, 0);
  let estimatedFinished = 0;
  let actualFinished = 0;
  options.log(
    `sweep ${options.spec.name}: ${planned.length} runs${options.shard ? ` (shard ${options.shard.index}/${options.shard.count} of ${options.runs.length})` : ""}, ${counts.done} already done, ${queue.length} to run, ${options.jobs} at once with ${threads} thread${threads === 1 ? "" : "s"} each; about ${formatDuration(estimatedLeft / options.jobs)}`,
  );
  const context = {
    resultsDir: options.resultsDir,
    sweep: options.spec.name,
    threads,
    pack: options.spec.pack,
    environment,
    signal: options.signal,
    startedAt: Date.now(),
  };
  /** Runs `queue`, `jobs` at once; returns the runs another process held. */
  const runQueue = async (queue: readonly PlannedRun[]): Promise<PlannedRun[]> => {
    const held: PlannedRun[] = [];
    let next = 0;
    const worker = async () => {
      while (next < queue.length && !options.signal.aborted) {
        const entry = queue[next++] as PlannedRun;
        const outcome = await runSweepJob(entry.run, context);
        if (outcome.kind === "interrupted") {
          counts.interrupted++;
          continue;
        }
        let result: string;
        if (outcome.kind === "busy") {
          held.push(entry);
          result = `busy (${outcome.pid === null ? "another process" : `pemn process ${outcome.pid}`} holds it): waiting for it`;
        } else {
          estimatedLeft -= entry.estimate;
          const elsewhere = outcome.elsewhere ? " (by another process)" : "";
          if (outcome.record.status === "ok") {
            counts.done++;
            if (!outcome.elsewhere) {
              estimatedFinished += entry.estimate;
              actualFinished += outcome.record.seconds;
            }
            const accuracy = outcome.record.summary.test_accuracy;
            result = `ok     test ${formatPercent(accuracy)} (${formatDuration(outcome.record.seconds)})${elsewhere}`;
          } else {
            counts.failed++;
            result = `FAILED ${outcome.record.error}${elsewhere}`;
          }
        }
        // The estimate of what is left, corrected by how the finished runs compared with theirs.
        const correction = estimatedFinished > 0 ? actualFinished / estimatedFinished : 1;
        const elapsed = (performance.now() - started) / 1000;
        const left = planned.length - counts.done - counts.failed;
        options.log(
          `[${counts.done} done, ${counts.failed} failed, ${left} left | ${formatDuration(elapsed)} elapsed, about ${formatDuration((correction * estimatedLeft) / options.jobs)} left] ${entry.run.runId.slice(0, 8)} ${describeLabels(entry.run.labels)}: ${result}`,
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.jobs, queue.length) }, worker));
    return held;
  };
  // A run another process holds (a second sweep, a `pemn train` a killed sweep left running)
  // is neither failed nor recorded: once the rest is done, wait until it is let go, then take
  // up what is left of it (nothing if the holder finished it).
  let held = await runQueue(queue);
  while (held.length > 0 && !options.signal.aborted) {
    options.log(
      `waiting for ${held.length} run${held.length === 1 ? "" : "s"} another process holds: ${held.map((entry) => entry.run.runId.slice(0, 8)).join(", ")}`,
    );
    const free = await waitUntilAnyFree(options.resultsDir, held, options.signal);
    held = [...held.filter((entry) => !free.includes(entry)), ...(await runQueue(free))];
  }
  counts.busy = held.length;
  collectResults(options.resultsDir);
  return counts;
}
