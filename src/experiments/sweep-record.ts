import { z } from "zod";
import { DEFAULT_NORM_DTYPE, NORM_DTYPES } from "../artifact/format/index.js";
import { runSummarySchema } from "../run/run-summary.js";

/*
 * What a sweep leaves for its report: the contract between `pemn sweep` (which writes it)
 * and `pemn report` (which reads it). Snake case, only ever added to, like summary.json.
 *
 * A results directory holds:
 *   sweep.json            the sweep's description (sweepDescriptionSchema)
 *   runs/<run_id>/        one run directory per run (config.json, checkpoints, summary.json,
 *                         model.pemn ...), plus result.json (sweepRecordSchema) written last
 *   results.jsonl         every run's result.json, one per line, collected from runs/
 *   invocations.jsonl     one line (invocationSchema) appended by every `pemn sweep` started
 */

/**
 * Which plot a sweep answers: the paper's Fig. 3 (representation), Fig. 4/5 (compression), or
 * accuracy against file bytes across networks (size: PEMN against the baselines at equal bytes).
 */
export const figureKindSchema = z.enum(["representation", "compression", "size"]);
export type FigureKind = z.infer<typeof figureKindSchema>;

/** How a sweep packs its runs (`pemn pack --norm --fold-norms`); the defaults are pack's own. */
export const packSettingsSchema = z.strictObject({
  norm: z.enum(NORM_DTYPES).default(DEFAULT_NORM_DTYPE),
  foldNorms: z.boolean().default(false),
});
export type PackSettings = z.output<typeof packSettingsSchema>;

export const sweepDescriptionSchema = z.strictObject({
  /** The spec's (or preset's) name, e.g. "fig3-fashion". */
  name: z.string().min(1),
  title: z.string(),
  /** Which paper figure this reproduces ("Fig. 3"), and what was scaled down to fit, in words. */
  description: z.string(),
  figure: figureKindSchema,
  /** The axes of the grid in order, each with its values' labels. */
  axes: z.array(z.strictObject({ name: z.string(), values: z.array(z.string()) })),
  runs: z.number().int().nonnegative(),
  /** Absent in sweeps made before it was recorded: they packed with the defaults. */
  pack: packSettingsSchema.optional(),
});
export type SweepDescription = z.infer<typeof sweepDescriptionSchema>;

/** One packed file of a finished run, as `pemn inspect --json` measured it. */
export const packedFileSchema = z.strictObject({
  /** "seed": PEMN values regenerated from the seed; "stored": every value in the file. */
  values: z.enum(["seed", "stored"]),
  bytes: z.number().int().positive(),
  /** Measured from the file, against 32-bit dense weights (docs/format.md, accounting). */
  compression_without_norms: z.number(),
  compression_with_norms: z.number(),
});
export type PackedFile = z.infer<typeof packedFileSchema>;

/** Where a run ran: what a report needs to say about the environment. */
export const environmentSchema = z.strictObject({
  pemn_version: z.string(),
  libtorch_version: z.string(),
  node_version: z.string(),
  /** Intra-op threads the run used (PEMN_THREADS). */
  threads: z.number().int().positive(),
  cpu: z.string(),
  hostname: z.string(),
});
export type Environment = z.infer<typeof environmentSchema>;

/** One `pemn sweep` invocation: the exact command, so a report can say how it was made. */
export const invocationSchema = z.strictObject({
  command: z.string(),
  started_at: z.string(),
  jobs: z.number().int().positive(),
  /** "i/n" when sharded. */
  shard: z.string().nullable(),
  environment: environmentSchema,
});
export type Invocation = z.infer<typeof invocationSchema>;

const recordBase = {
  record_version: z.literal(1),
  /** Hash of the complete run config: the run directory's name. */
  run_id: z.string().regex(/^[0-9a-f]{16,64}$/),
  sweep: z.string(),
  /** This run's value on each axis, as labels ({ backbone: "resnet20", method: "RP 1e-2", seed: "0" }). */
  labels: z.record(z.string(), z.string()),
  /** The complete run config the run was started with (plain data, `pemn train --config`). */
  config: z.record(z.string(), z.unknown()),
  /** Wall time of the run in this sweep invocation, pack included. */
  seconds: z.number().nonnegative(),
  environment: environmentSchema,
  finished_at: z.string(),
};

export const sweepRecordSchema = z.discriminatedUnion("status", [
  z.strictObject({
    ...recordBase,
    status: z.literal("ok"),
    summary: runSummarySchema,
    packed: z.array(packedFileSchema),
  }),
  z.strictObject({
    ...recordBase,
    status: z.literal("failed"),
    /** The failure as the run printed it (its last error line). */
    error: z.string(),
  }),
]);
export type SweepRecord = z.infer<typeof sweepRecordSchema>;
