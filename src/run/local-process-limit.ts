import { availableParallelism } from "node:os";
import { maxThreads, THREADS_PER_CORE } from "../engine/thread-limit.js";

/**
 * Local processes at once (--nproc ranks, sweep --jobs): each is a node process with the
 * engine loaded (hundreds of MB), so `--nproc 100000` forked until memory ran out. At most one
 * per core; `allowOversubscribe` lifts that to the thread bound (THREADS_PER_CORE per core),
 * since every process runs at least one thread.
 */
export function localProcessLimit(allowOversubscribe: boolean): number {
  return allowOversubscribe ? maxThreads() : availableParallelism();
}

/** Throws RangeError naming the bound (and the flag that lifts it) when `count` exceeds it. */
export function checkLocalProcesses(
  flag: string,
  count: number,
  allowOversubscribe: boolean,
): void {
  const cores = availableParallelism();
  if (count <= localProcessLimit(allowOversubscribe)) return;
  throw new RangeError(
    allowOversubscribe
      ? `${flag} ${count} is more than ${maxThreads()} local processes (${THREADS_PER_CORE} x the ${cores} cores of this machine), even with --allow-oversubscribe`
      : `${flag} ${count} is more than the ${cores} cores of this machine; pass --allow-oversubscribe to start up to ${maxThreads()} local processes`,
  );
}
