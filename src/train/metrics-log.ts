import { appendFileDurable, writeFileAtomic } from "../io/atomic-write.js";
import type { EpochMetrics } from "./epoch-metrics.js";

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
