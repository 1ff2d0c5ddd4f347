import { constants } from "node:os";

/*
 * What a process must undo when SIGINT (Ctrl-C), SIGTERM (kill, a scheduler) or SIGHUP (a
 * closed terminal) stops it: Node's default for them is to die at once, running neither
 * finally blocks nor "exit" listeners, which left run.lock (and a new run's config.json)
 * behind. While any cleanup is registered, these signals run the cleanups, newest first,
 * then exit with the conventional status 128 + n. Only SIGKILL (or a crash) leaves them.
 *
 * A handler runs when the event loop turns: training yields to it between steps
 * (src/train/train-epoch.ts). A host with listeners of its own for these signals is
 * pre-empted while a cleanup is registered.
 */

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const cleanups: (() => void)[] = [];

function terminate(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch {} // best effort: the process is going anyway, and the others must still run
  }
  process.exit(128 + constants.signals[signal]);
}

/** Runs `cleanup` if a termination signal stops the process; returns its unregistration. */
export function onTermination(cleanup: () => void): () => void {
  if (cleanups.length === 0) for (const signal of SIGNALS) process.on(signal, terminate);
  cleanups.push(cleanup);
  return () => {
    const index = cleanups.lastIndexOf(cleanup);
    if (index >= 0) cleanups.splice(index, 1);
    if (cleanups.length === 0) for (const signal of SIGNALS) process.off(signal, terminate);
  };
}
