import { join } from "node:path";

/** The files a run keeps in its directory. */
export interface RunFiles {
  /** Checkpoint after the latest epoch: what resume continues from. */
  readonly last: string;
  /** Checkpoint of the epoch with the best validation accuracy so far. */
  readonly best: string;
  /** One JSON object per epoch (epoch-metrics.ts). */
  readonly metrics: string;
}

export function runFiles(runDir: string): RunFiles {
  return {
    last: join(runDir, "last.ckpt"),
    best: join(runDir, "best.ckpt"),
    metrics: join(runDir, "metrics.jsonl"),
  };
}
