import { availableParallelism } from "node:os";

/**
 * Intra-op threads beyond a few per core only add switching: `--threads 100000` spent minutes
 * creating threads and computed nothing. Every way of asking for threads (--threads,
 * $PEMN_THREADS, setThreads) is held to this one bound.
 */
export const THREADS_PER_CORE = 4;

/** The most intra-op threads pemn accepts on this machine. */
export function maxThreads(): number {
  return THREADS_PER_CORE * availableParallelism();
}

/** Why the bound is what it is, for messages: "4 x the 2 cores of this machine". */
export function maxThreadsReason(): string {
  return `${THREADS_PER_CORE} x the ${availableParallelism()} cores of this machine`;
}

/** What is wrong with `threads` as a thread count, or undefined when it is fine. */
export function threadCountProblem(threads: number): string | undefined {
  if (!Number.isSafeInteger(threads) || threads < 1) return "must be a positive integer";
  if (threads > maxThreads()) return `must be at most ${maxThreads()} (${maxThreadsReason()})`;
  return undefined;
}
