import type { PackedFile } from "../sweep-record.js";
import type { FinishedRecord, ReportRecord } from "./read-results.js";
import { type MethodFamily, runMethod } from "./run-method.js";

/*
 * The rows of a report's tables: the runs of one backbone, method and target ratio,
 * summarised over seeds. Pure functions of the records.
 */

export interface MeanSd {
  readonly mean: number;
  /** Sample standard deviation (n - 1); null with fewer than two values. */
  readonly sd: number | null;
  readonly n: number;
}

export interface PackedSummary {
  readonly values: PackedFile["values"];
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly compressionWithoutNorms: number;
  readonly compressionWithNorms: number;
}

export interface FailedRun {
  readonly runId: string;
  readonly seed: number | null;
  readonly error: string;
}

export interface ResultRow {
  readonly backbone: string;
  readonly family: MethodFamily;
  readonly method: string;
  readonly methodKey: string;
  readonly kindOrder: number;
  readonly targetCompression: number | null;
  readonly budget: string | null;
  /** Seeds of the finished runs, ascending. */
  readonly seeds: readonly number[];
  readonly failed: readonly FailedRun[];
  /** Test accuracy (fraction) over the finished runs that measured it. */
  readonly accuracy: MeanSd | null;
  readonly uniqueValues: number | null;
  /** One entry per packed file mode (seed, stored) present in the runs. */
  readonly packed: readonly PackedSummary[];
  /**
   * The smallest packed file of each run (a PEMN's seed file, a baseline's stored one):
   * its measured compression ratio, without and with norms, mean over seeds.
   */
  readonly compressionWithoutNorms: number | null;
  readonly compressionWithNorms: number | null;
  /** Bytes of that smallest file, everything included, over seeds. */
  readonly bytes: MeanSd | null;
  /** Pruned baselines: the fraction of weights pruned (summary.json's sparsity), mean over seeds. */
  readonly sparsity: number | null;
  /** Mean of summary.json's seconds (the whole run) over finished runs. */
  readonly trainSeconds: number | null;
  /** The model's classes (chance accuracy is one over it), null when no run finished. */
  readonly classes: number | null;
}

/**
 * Mean test accuracy below 1.5 times chance (15% for 10 classes): a run that learned next
 * to nothing, from which no claim about methods should be read.
 */
export function nearChance(row: ResultRow): boolean {
  return row.accuracy !== null && row.classes !== null && row.accuracy.mean < 1.5 / row.classes;
}

export function meanSd(values: readonly number[]): MeanSd | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n < 2) return { mean, sd: null, n };
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(squares / (n - 1)), n };
}

function mean(values: readonly number[]): number | null {
  return meanSd(values)?.mean ?? null;
}

export function seedOf(record: ReportRecord): number | null {
  return typeof record.config.seed === "number" ? record.config.seed : null;
}

/** Groups records into rows, ordered as the tables list them (see compareRows). */
export function resultRows(records: readonly ReportRecord[]): ResultRow[] {
  const groups = new Map<string, ReportRecord[]>();
  for (const record of records) {
    const method = runMethod(record);
    const key = JSON.stringify([
      method.backbone,
      method.key,
      method.targetCompression,
      method.budget,
    ]);
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return [...groups.values()].map(summariseGroup).sort(compareRows);
}

function summariseGroup(records: readonly ReportRecord[]): ResultRow {
  const method = runMethod(records[0] as ReportRecord);
  const finished = records.filter((record): record is FinishedRecord => record.status === "ok");
  const failed = records.flatMap((record) =>
    record.status === "failed"
      ? [{ runId: record.run_id, seed: seedOf(record), error: record.error }]
      : [],
  );
  const accuracies = finished.flatMap(({ summary }) =>
    summary.test_accuracy === null ? [] : [summary.test_accuracy],
  );
  const smallest = finished.flatMap(({ packed }) =>
    packed.length === 0 ? [] : [packed.reduce((a, b) => (b.bytes < a.bytes ? b : a))],
  );
  const sparsities = finished.flatMap(({ summary }) =>
    summary.sparsity === null ? [] : [summary.sparsity],
  );
  return {
    backbone: method.backbone,
    family: method.family,
    method: method.label,
    methodKey: method.key,
    kindOrder: method.kindOrder,
    targetCompression: method.targetCompression,
    budget: method.budget,
    seeds: finished.flatMap((record) => seedOf(record) ?? []).sort((a, b) => a - b),
    failed: failed.sort((a, b) => (a.seed ?? -1) - (b.seed ?? -1)),
    accuracy: meanSd(accuracies),
    uniqueValues: finished[0]?.summary.unique_values ?? null,
    packed: summarisePacked(finished.flatMap((record) => record.packed)),
    compressionWithoutNorms: mean(smallest.map((file) => file.compression_without_norms)),
    compressionWithNorms: mean(smallest.map((file) => file.compression_with_norms)),
    bytes: meanSd(smallest.map((file) => file.bytes)),
    sparsity: mean(sparsities),
    trainSeconds: mean(finished.map(({ summary }) => summary.seconds)),
    classes: classesOf(finished[0]),
  };
}

/** summary.json's model.classes (its model schema is loose: old results may lack it). */
function classesOf(record: FinishedRecord | undefined): number | null {
  const classes = record?.summary.model.classes;
  return typeof classes === "number" && classes > 0 ? classes : null;
}

function summarisePacked(files: readonly PackedFile[]): PackedSummary[] {
  return (["seed", "stored"] as const).flatMap((values) => {
    const ofMode = files.filter((file) => file.values === values);
    if (ofMode.length === 0) return [];
    const bytes = ofMode.map((file) => file.bytes);
    return [
      {
        values,
        minBytes: Math.min(...bytes),
        maxBytes: Math.max(...bytes),
        compressionWithoutNorms: mean(
          ofMode.map((file) => file.compression_without_norms),
        ) as number,
        compressionWithNorms: mean(ofMode.map((file) => file.compression_with_norms)) as number,
      },
    ];
  });
}

/** Backbone names with their numbers read as numbers: ConvMixer-26/4 before ConvMixer-102/4. */
export function compareBackbones(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

const FAMILY_ORDER: readonly MethodFamily[] = ["dense", "pemn", "pruned", "quantized"];

/**
 * Backbone by name; then dense, PEMN methods by unique values descending (mask before
 * one-layer, MP, RP when equal), baselines by method and target ratio ascending.
 */
export function compareRows(a: ResultRow, b: ResultRow): number {
  return (
    compareBackbones(a.backbone, b.backbone) ||
    FAMILY_ORDER.indexOf(a.family) - FAMILY_ORDER.indexOf(b.family) ||
    (a.family === "pemn" ? (b.uniqueValues ?? -1) - (a.uniqueValues ?? -1) : 0) ||
    a.kindOrder - b.kindOrder ||
    a.method.localeCompare(b.method) ||
    (a.targetCompression ?? 0) - (b.targetCompression ?? 0)
  );
}
