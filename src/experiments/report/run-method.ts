import { DEFAULT_KEEP_FRACTION, weightStrategySchema } from "../../weights/strategy.js";
import type { ReportRecord } from "./read-results.js";

/*
 * What a run is, as a report names it: its backbone, its method (the strategy without the
 * seed and without a pruned baseline's target ratio) and, for baselines, that target.
 */

/**
 * dense: trained weights, nothing masked; pemn: a mask over fixed values; pruned and quantized
 * (quantized or binary weights): baselines.
 */
export type MethodFamily = "dense" | "pemn" | "pruned" | "quantized";

export interface RunMethod {
  readonly backbone: string;
  readonly family: MethodFamily;
  /** "dense", "mask", "one-layer", "MP", "RP 1e-2", "magnitude pruning" ... */
  readonly label: string;
  /** Tells methods apart exactly (the normalised strategy less its target ratio). */
  readonly key: string;
  /** Among PEMN methods of equal unique values: mask, one-layer, MP, RP. */
  readonly kindOrder: number;
  /** A pruned baseline's target storage compression ratio (fraction); null otherwise. */
  readonly targetCompression: number | null;
  /** The file-size budget the run was sized for (a size sweep's `budget` axis, "16 KB"). */
  readonly budget: string | null;
}

const PEMN_KIND_ORDER = ["mask", "one-layer", "mp", "rp"];
/** Axes a row already shows (or averages over); any other axis tells rows apart. */
const SHOWN_AXES = new Set(["backbone", "method", "compression", "budget", "seed"]);

export function runMethod(record: ReportRecord): RunMethod {
  const method = { ...strategyMethod(record), budget: record.labels.budget ?? null };
  const extra = Object.entries(record.labels)
    .filter(([axis]) => !SHOWN_AXES.has(axis))
    .sort(([a], [b]) => a.localeCompare(b));
  if (extra.length === 0) return method;
  return {
    ...method,
    label: `${method.label} [${extra.map(([axis, value]) => `${axis} ${value}`).join(", ")}]`,
    key: `${method.key}${JSON.stringify(extra)}`,
  };
}

function strategyMethod(record: ReportRecord): Omit<RunMethod, "budget"> {
  const backbone = record.labels.backbone ?? describeBackbone(record.config.model);
  const strategy = normaliseStrategy(record.config.strategy);
  const kind = String(strategy.kind);
  if (kind === "dense") {
    return {
      backbone,
      family: "dense",
      label: "dense",
      key: "dense",
      kindOrder: 0,
      targetCompression: null,
    };
  }
  if (kind === "quantized" || kind === "binary") {
    return {
      backbone,
      family: "quantized",
      label: kind === "binary" ? "binary" : `${String(strategy.bits)}-bit quantized`,
      key: stableJson(strategy),
      kindOrder: kind === "binary" ? 1 : 0,
      targetCompression: null,
    };
  }
  if (kind === "pruned") {
    const { compression, ...method } = strategy;
    return {
      backbone,
      family: "pruned",
      label: prunedLabel(method),
      key: stableJson(method),
      kindOrder: 0,
      targetCompression: typeof compression === "number" ? compression : null,
    };
  }
  // A keep fraction other than the paper's is part of the method (a sparser mask, fewer bits).
  const keep = record.config.keepFraction;
  const ownKeep = typeof keep === "number" && keep !== DEFAULT_KEEP_FRACTION ? keep : null;
  return {
    backbone,
    family: "pemn",
    label: ownKeep === null ? pemnLabel(strategy) : `${pemnLabel(strategy)}, keep ${ownKeep}`,
    key: ownKeep === null ? stableJson(strategy) : stableJson({ ...strategy, keep: ownKeep }),
    kindOrder: PEMN_KIND_ORDER.indexOf(kind),
    targetCompression: null,
  };
}

/** A record's config may state a strategy with its defaults left out: fill them in. */
function normaliseStrategy(value: unknown): Record<string, unknown> {
  const parsed = weightStrategySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (typeof value === "object" && value !== null && "kind" in value)
    return value as Record<string, unknown>;
  return { kind: "unknown" };
}

function pemnLabel(strategy: Record<string, unknown>): string {
  const suffix = [
    strategy.order === "rand" ? "rand" : null,
    strategy.rescale === "fan-in" ? "fan-in" : null,
  ].filter((part) => part !== null);
  const base =
    strategy.kind === "mp"
      ? "MP"
      : strategy.kind === "rp"
        ? `RP ${scientific(Number(strategy.ratio))}`
        : String(strategy.kind);
  return [base, ...suffix].join(" ");
}

/** "magnitude pruning", with what sets it apart from the plain one-shot per-layer baseline. */
function prunedLabel(method: Record<string, unknown>): string {
  const qualifiers: string[] = [];
  if (typeof method.pretrainEpochs === "number" && method.pretrainEpochs > 0) {
    qualifiers.push(`pretrained ${method.pretrainEpochs} ep`);
  }
  if (method.scope === "global") qualifiers.push("global");
  const index = method.index as { kind?: unknown; bits?: unknown } | undefined;
  if (index !== undefined && index.kind !== "csr") {
    qualifiers.push(
      index.bits === undefined
        ? String(index.kind)
        : `${String(index.kind)} ${String(index.bits)}-bit`,
    );
  }
  const base = `${String(method.criterion)} pruning`;
  return qualifiers.length === 0 ? base : `${base} (${qualifiers.join(", ")})`;
}

function describeBackbone(model: unknown): string {
  if (typeof model !== "object" || model === null) return "model";
  const fields = model as Record<string, unknown>;
  const name = String(fields.name ?? "model");
  if (name === "resnet" && fields.depth !== undefined) return `resnet${String(fields.depth)}`;
  const shape = ["dim", "depth"]
    .filter((field) => fields[field] !== undefined)
    .map((field) => `${field} ${String(fields[field])}`);
  return shape.length === 0 ? name : `${name} ${shape.join(" ")}`;
}

/** 0.01 -> "1e-2", 0.05 -> "5e-2", 1 -> "1": how the paper writes RP ratios. */
export function scientific(value: number): string {
  if (!(value > 0)) return String(value);
  const exponent = Math.floor(Math.log10(value) + 1e-9);
  if (exponent === 0) return String(value);
  const mantissa = Number((value / 10 ** exponent).toPrecision(3));
  return `${mantissa}e${exponent}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${stableJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
