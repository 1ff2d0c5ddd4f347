import { z } from "zod";
import { configError, parseConfig } from "../config/parse-config.js";
import { readConfigFile } from "../run/config-file.js";
import { figureKindSchema, packSettingsSchema } from "./sweep-record.js";

/** A part of a run config (the plain data `pemn train --config` takes), deep-merged in. */
const configPatchSchema = z.record(z.string(), z.unknown(), {
  error: "must be an object: a part of a run config",
});

const labelSchema = z.string({ error: "label must be a string" }).min(1, {
  error: "label must not be empty",
});

const axisValueSchema = z.strictObject({
  label: labelSchema,
  config: configPatchSchema.default({}),
  /**
   * Only combined with these labels of earlier axes ({ method: ["random", "magnitude"] }).
   * When no value of an axis applies to a combination, the axis is left out of its runs.
   */
  when: z.record(z.string(), z.array(labelSchema).min(1)).optional(),
});
export type AxisValue = z.output<typeof axisValueSchema>;
export type AxisValueInput = z.input<typeof axisValueSchema>;

const nameSchema = z.string({ error: "name is required" }).regex(/^[a-z0-9][a-z0-9._-]*$/, {
  error: "name must be lower-case letters, digits, '.', '_' or '-' (it names files)",
});

export const sweepSpecSchema = z.strictObject({
  name: nameSchema,
  title: z.string({ error: "title is required" }).min(1, { error: "title must not be empty" }),
  /** Which figure this reproduces and what was scaled down to fit, in words. */
  description: z.string({ error: "description is required" }).min(1, {
    error: "description must not be empty",
  }),
  figure: figureKindSchema,
  /** How every run is packed (the file sizes a report compares). */
  pack: packSettingsSchema.prefault({}),
  /** The run config every run starts from. */
  base: configPatchSchema.default({}),
  /** Named axes in order; the grid is their product. */
  axes: z
    .record(
      z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, {
        error: "axis names start with a letter: letters, digits, '_' or '-'",
      }),
      z.array(axisValueSchema).min(1, { error: "an axis needs at least one value" }),
    )
    .default({}),
  /** Runs outside the grid: their own labels, a patch on the base. */
  runs: z
    .array(
      z.strictObject({
        labels: z.record(z.string(), labelSchema).refine((labels) => Object.keys(labels).length, {
          error: "an explicit run needs at least one label",
        }),
        config: configPatchSchema.default({}),
      }),
    )
    .default([]),
});

export type SweepSpecInput = z.input<typeof sweepSpecSchema>;
export type SweepSpec = z.output<typeof sweepSpecSchema>;

export function parseSweepSpec(value: unknown, source = "sweep spec"): SweepSpec {
  const spec = parseConfig(sweepSpecSchema, value, source);
  const axisNames = Object.keys(spec.axes);
  axisNames.forEach((axis, position) => {
    const labels = new Set<string>();
    for (const [index, value] of (spec.axes[axis] ?? []).entries()) {
      if (labels.has(value.label))
        throw configError(source, ["axes", axis, index, "label"], `"${value.label}" appears twice`);
      labels.add(value.label);
      for (const [other, wanted] of Object.entries(value.when ?? {})) {
        const earlier = axisNames.slice(0, position);
        if (!earlier.includes(other))
          throw configError(
            source,
            ["axes", axis, index, "when", other],
            `a condition names an earlier axis (${earlier.join(", ") || "none"})`,
          );
        const known = new Set((spec.axes[other] ?? []).map((candidate) => candidate.label));
        for (const label of wanted)
          if (!known.has(label))
            throw configError(
              source,
              ["axes", axis, index, "when", other],
              `axis ${other} has no value "${label}"`,
            );
      }
    }
  });
  return spec;
}

/** Reads a spec file (YAML or JSON); errors name the file. */
export function readSweepSpec(file: string): SweepSpec {
  return parseSweepSpec(readConfigFile(file), `sweep spec ${file}`);
}
