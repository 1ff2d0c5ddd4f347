import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseConfig } from "../../config/parse-config.js";
import { readInputText } from "../../io/read-input-file.js";
import { runSummarySchema } from "../../run/run-summary.js";
import {
  type Invocation,
  invocationSchema,
  type SweepDescription,
  sweepDescriptionSchema,
  sweepRecordSchema,
} from "../sweep-record.js";

/** A results directory could not be read; the message names the file and the problem. */
export class ResultsError extends Error {
  override readonly name = "ResultsError";
}

/* Summaries written by a newer pemn may hold fields this one does not know: keep them. */
const reportSummarySchema = runSummarySchema.loose();

const [okRecordSchema, failedRecordSchema] = sweepRecordSchema.options;
export const reportRecordSchema = z.discriminatedUnion("status", [
  okRecordSchema.extend({ summary: reportSummarySchema }),
  failedRecordSchema,
]);
export type ReportRecord = z.infer<typeof reportRecordSchema>;
export type FinishedRecord = Extract<ReportRecord, { status: "ok" }>;
export type ReportSummary = FinishedRecord["summary"];

export interface SweepResults {
  readonly directory: string;
  readonly description: SweepDescription;
  readonly records: readonly ReportRecord[];
  readonly invocations: readonly Invocation[];
}

/**
 * Reads a results directory (src/experiments/sweep-record.ts). Records come from
 * runs/<run_id>/result.json where they exist, since shards write those and may not have
 * rebuilt results.jsonl; results.jsonl adds the runs whose directories are gone.
 */
export function readSweepResults(directory: string): SweepResults {
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new ResultsError(`${directory}: no such results directory`);
  }
  const sweepPath = join(directory, "sweep.json");
  if (!existsSync(sweepPath)) {
    throw new ResultsError(
      `${sweepPath}: missing; is ${directory} a results directory of pemn sweep?`,
    );
  }
  const description = parseWith(
    sweepDescriptionSchema,
    parseJson(readInputText(sweepPath, "record"), sweepPath),
    sweepPath,
    "sweep description",
  );

  const byRunId = new Map<string, ReportRecord>();
  const linesPath = join(directory, "results.jsonl");
  if (existsSync(linesPath)) {
    for (const [place, record] of readJsonLines(linesPath, reportRecordSchema, "sweep record")) {
      if (byRunId.has(record.run_id))
        throw new ResultsError(`${place}: run ${record.run_id} appears twice`);
      byRunId.set(record.run_id, record);
    }
  }
  const runsPath = join(directory, "runs");
  if (existsSync(runsPath)) {
    for (const runId of readdirSync(runsPath).sort()) {
      const path = join(runsPath, runId, "result.json");
      if (!existsSync(path)) continue; // not finished (or interrupted): nothing to report yet
      const record = parseWith(
        reportRecordSchema,
        parseJson(readInputText(path, "record"), path),
        path,
        "sweep record",
      );
      if (record.run_id !== runId) {
        throw new ResultsError(
          `${path}: run_id ${record.run_id} does not match its directory ${runId}`,
        );
      }
      byRunId.set(runId, record);
    }
  }
  if (byRunId.size === 0) {
    throw new ResultsError(
      `${directory}: no results (neither results.jsonl nor runs/*/result.json)`,
    );
  }

  const invocationsPath = join(directory, "invocations.jsonl");
  const invocations = existsSync(invocationsPath)
    ? readJsonLines(invocationsPath, invocationSchema, "invocation").map(([, value]) => value)
    : [];
  const records = [...byRunId.values()].sort((a, b) => a.run_id.localeCompare(b.run_id));
  return { directory, description, records, invocations };
}

function readJsonLines<T>(path: string, schema: z.ZodType<T>, subject: string): [string, T][] {
  const entries: [string, T][] = [];
  readInputText(path, "results")
    .split("\n")
    .forEach((line, index) => {
      if (line.trim() === "") return;
      const place = `${path} line ${index + 1}`;
      entries.push([place, parseWith(schema, parseJson(line, place), place, subject)]);
    });
  return entries;
}

function parseJson(text: string, place: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ResultsError(`${place}: not valid JSON (${(error as Error).message})`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, place: string, subject: string): T {
  return parseConfig(schema, value, subject, (message) => new ResultsError(`${place}: ${message}`));
}
