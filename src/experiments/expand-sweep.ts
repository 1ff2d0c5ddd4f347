import { parse as parseYaml } from "yaml";
import { ConfigError } from "../config/parse-config.js";
import { deepMerge } from "../run/config-file.js";
import { parseRunConfig, type RunConfig } from "../run/run-config.js";
import { runId } from "./run-id.js";
import type { AxisValue, SweepSpec } from "./sweep-spec.js";

/** One run of a sweep, in the sweep's deterministic order. */
export interface SweepRun {
  /** Position in the run list (shards split on it). */
  readonly index: number;
  /** Its value on each axis that applies to it (or an explicit run's own labels). */
  readonly labels: Readonly<Record<string, string>>;
  readonly config: RunConfig;
  readonly runId: string;
}

export function describeLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([axis, label]) => `${axis}=${label}`)
    .join(", ");
}

/**
 * Every run of a spec: the product of its axes (first axis outermost), then its explicit
 * runs, each config the base with the values' patches and finally `settings` deep-merged in.
 * Every config is validated here, so a bad spec fails before any run starts.
 */
export function expandSweep(spec: SweepSpec, settings: readonly unknown[] = []): SweepRun[] {
  const combinations = [
    ...gridCombinations(spec),
    ...spec.runs.map((run) => ({ labels: run.labels, patches: [run.config] })),
  ];
  const byId = new Map<string, SweepRun>();
  return combinations.map(({ labels, patches }, index) => {
    const merged = [...patches, ...settings].reduce(deepMerge, spec.base);
    let config: RunConfig;
    try {
      config = parseRunConfig(merged);
    } catch (error) {
      throw new ConfigError(
        `sweep ${spec.name}, run ${index + 1} (${describeLabels(labels)}): ${(error as Error).message}`,
      );
    }
    const run: SweepRun = { index, labels, config, runId: runId(config) };
    const twin = byId.get(run.runId);
    if (twin)
      throw new ConfigError(
        `sweep ${spec.name}: runs ${twin.index + 1} (${describeLabels(twin.labels)}) and ${index + 1} (${describeLabels(labels)}) have the same config`,
      );
    byId.set(run.runId, run);
    return run;
  });
}

interface Combination {
  readonly labels: Record<string, string>;
  readonly patches: readonly unknown[];
}

function gridCombinations(spec: SweepSpec): Combination[] {
  const axes = Object.entries(spec.axes);
  if (axes.length === 0) return [];
  let combinations: Combination[] = [{ labels: {}, patches: [] }];
  for (const [axis, values] of axes) {
    combinations = combinations.flatMap((combination) => {
      const applying = values.filter((value) => applies(value, combination.labels));
      if (applying.length === 0) return [combination];
      return applying.map((value) => ({
        labels: { ...combination.labels, [axis]: value.label },
        patches: [...combination.patches, value.config],
      }));
    });
  }
  return combinations;
}

function applies(value: AxisValue, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(value.when ?? {}).every(([axis, wanted]) => {
    const label = labels[axis];
    return label !== undefined && wanted.includes(label);
  });
}

/** `train.epochs=0` as a patch ({ train: { epochs: 0 } }); the value is read as YAML. */
export function parseSetting(text: string): unknown {
  const equals = text.indexOf("=");
  const path = text.slice(0, equals).split(".");
  if (equals <= 0 || path.some((key) => key === ""))
    throw new ConfigError(`--set ${text}: expected path.to.field=value, e.g. train.epochs=0`);
  const value: unknown = parseYaml(text.slice(equals + 1));
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}
