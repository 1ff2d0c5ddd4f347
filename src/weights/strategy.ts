import { z } from "zod";
import { flag } from "../config/config-flags.js";
import { parseConfig } from "../config/parse-config.js";
import { showValue } from "./show-value.js";

/*
 * Where the fixed weights of the masked layers come from (docs/generator.md section 9,
 * "Weight plan").
 * The schema validates strategies read from configs and files; the type is derived from it.
 */

/** Fraction of a masked layer's weights its mask keeps unless a config says otherwise (the paper's). */
export const DEFAULT_KEEP_FRACTION = 0.5;

/**
 * Optional rescaling for the strategies that share one layer's values with all others:
 * "none" keeps layer m's scale N(0, 2/fan_in(m)) everywhere (the paper); "fan-in" multiplies
 * layer l's slice by sqrt(fan_in(m) / fan_in(l)), giving each layer its own Kaiming scale.
 */
const rescaleSchema = z
  .enum(["none", "fan-in"], {
    error: (issue) => `must be "none" or "fan-in", got ${showValue(issue.input)}`,
  })
  .default("none")
  .meta(flag("rescale", "mp/rp: per-layer rescaling"));

const ratioMessage = (issue: { input: unknown }) =>
  `must be a number in (0, 1], got ${showValue(issue.input)}`;

const indexBitsMessage = (issue: { input: unknown }) =>
  `must be an integer from 1 to 16, got ${showValue(issue.input)}`;
const indexBits = z
  .number({ error: indexBitsMessage })
  .int({ error: indexBitsMessage })
  .min(1, { error: indexBitsMessage })
  .max(16, { error: indexBitsMessage })
  .default(8);

/**
 * How a pruned network stores the positions of its kept weights (docs/pruning.md):
 * `csr`: the paper's CSR accounting (Deep Compression), 2 entries of `bits` bits per kept weight;
 * `relative`: one entry of `bits` bits per kept weight holding the gap since the previous one,
 * plus a filler entry for every 2^bits - 1 dropped weights in a row; `bitmap`: 1 bit per weight.
 */
export const pruningIndexSchema = z
  .discriminatedUnion(
    "kind",
    [
      z.strictObject({ kind: z.literal("csr"), bits: indexBits }),
      z.strictObject({ kind: z.literal("relative"), bits: indexBits }),
      z.strictObject({ kind: z.literal("bitmap") }),
    ],
    {
      error: (issue) =>
        `must be { kind: "csr" | "relative", bits } or { kind: "bitmap" }, got ${showValue(issue.input)}`,
    },
  )
  .default({ kind: "csr", bits: 8 });

/** "csr:8", "relative:4", "bitmap": an index scheme as a flag writes it (the schema checks bits). */
function parseIndexFlag(text: string): unknown {
  const [kind, bits, ...rest] = text.split(":");
  if (kind === "bitmap" && bits === undefined) return { kind };
  if ((kind === "csr" || kind === "relative") && bits !== undefined && rest.length === 0) {
    return { kind, bits: bits.trim() === "" ? Number.NaN : Number(bits) };
  }
  throw new Error(`expected csr:<bits>, relative:<bits> or bitmap, got "${text}"`);
}

const compressionMessage = (issue: { input: unknown }) =>
  `must be a number in (0, 1), got ${showValue(issue.input)}`;

/** Trainable weights under a fixed sparsity mask chosen once: the paper's pruning baselines. */
const prunedStrategySchema = z
  .strictObject({
    kind: z.literal("pruned"),
    /** `random`: a seeded draw; `magnitude`: the largest |values| are kept. */
    criterion: z
      .enum(["random", "magnitude"], {
        error: (issue) => `must be "random" or "magnitude", got ${showValue(issue.input)}`,
      })
      .meta(flag("criterion", "pruned: which weights the mask keeps")),
    /** magnitude only: dense epochs before the mask is chosen (0: magnitude at initialisation). */
    pretrainEpochs: z
      .number({ error: "must be a non-negative integer" })
      .int({ error: "must be a non-negative integer" })
      .min(0, { error: "must be a non-negative integer" })
      .default(0)
      .meta(flag("pretrain-epochs", "pruned, magnitude: dense epochs before the mask is chosen")),
    /** `layer`: the same sparsity in every layer; `global`: one ranking over all weights. */
    scope: z
      .enum(["layer", "global"], {
        error: (issue) => `must be "layer" or "global", got ${showValue(issue.input)}`,
      })
      .default("layer")
      .meta(flag("scope", "pruned: the same sparsity per layer, or one ranking over all")),
    /** Target storage compression ratio; the sparsity is solved from it (pruning-masks.ts). */
    compression: z
      .number({ error: compressionMessage })
      .gt(0, { error: compressionMessage })
      .lt(1, { error: compressionMessage })
      .meta(
        flag("compression", "pruned: target storage compression ratio, e.g. 0.94", {
          valueName: "c",
        }),
      ),
    index: pruningIndexSchema.meta(
      flag("index", "pruned: positions index, csr:8 | relative:8 | bitmap", {
        valueName: "scheme",
        parse: parseIndexFlag,
      }),
    ),
  })
  .refine((strategy) => strategy.criterion === "magnitude" || strategy.pretrainEpochs === 0, {
    path: ["pretrainEpochs"],
    error:
      'dense pre-training only makes sense for criterion "magnitude": a random mask ignores the values',
  });

const quantizationBitsMessage = (issue: { input: unknown }) =>
  `must be an integer from 2 to 8, got ${showValue(issue.input)}`;

/**
 * Trained values whose forward pass uses them quantized to `bits` bits: per output channel
 * (dim 0), symmetric and uniform, scale max|w| / (2^(bits-1) - 1), levels in
 * [-(2^(bits-1) - 1), 2^(bits-1) - 1]; quantization-aware training with a straight-through
 * estimator (docs/baselines.md). The file stores the levels and one bfloat16 scale per channel.
 */
const quantizedStrategySchema = z.strictObject({
  kind: z.literal("quantized"),
  bits: z
    .number({ error: quantizationBitsMessage })
    .int({ error: quantizationBitsMessage })
    .min(2, { error: quantizationBitsMessage })
    .max(8, { error: quantizationBitsMessage })
    .default(8)
    .meta(flag("bits", "quantized: bits per weight, 2 to 8 (default 8)")),
});

export const weightStrategySchema = z
  .discriminatedUnion(
    "kind",
    [
      /** An ordinary network whose weights are trained: the reference point. */
      z.strictObject({ kind: z.literal("dense") }),
      /** Every masked layer has its own random values (plain edge-popup). */
      z.strictObject({ kind: z.literal("mask") }),
      /** Layers of a shape already seen copy the values of the first layer of that shape. */
      z.strictObject({ kind: z.literal("one-layer") }),
      /** Max-layer padding: every layer takes a prefix of the largest layer's values. */
      z.strictObject({ kind: z.literal("mp"), rescale: rescaleSchema }),
      /** Random vector padding: a prototype of floor(d_m * ratio) + 1 values, tiled. */
      z.strictObject({
        kind: z.literal("rp"),
        ratio: z
          .number({ error: ratioMessage })
          .gt(0, { error: ratioMessage })
          .lte(1, { error: ratioMessage })
          .meta(flag("ratio", "rp: prototype ratio, e.g. 1e-3", { valueName: "r" })),
        /** "copy" (plain tiling) is the reference code's default. */
        order: z
          .enum(["copy", "rand"], {
            error: (issue) => `must be "copy" or "rand", got ${showValue(issue.input)}`,
          })
          .default("copy")
          .meta(flag("order", "rp: tiling order")),
        rescale: rescaleSchema,
      }),
      prunedStrategySchema,
      quantizedStrategySchema,
      /**
       * Trained values whose forward pass uses sign(w) (+1 for w = 0) times the mean |w| of
       * their output channel (XNOR-Net), straight-through gradient: 1 bit per weight stored.
       */
      z.strictObject({ kind: z.literal("binary") }),
    ],
    { error: (issue) => describeBadKind(issue.input) },
  )
  .meta(flag("strategy", "where the fixed weights come from", { valueName: "kind" }));

function describeBadKind(input: unknown): string {
  if (typeof input !== "object" || input === null) {
    return `must be an object with a "kind" field, got ${showValue(input)}`;
  }
  const kind = (input as { kind?: unknown }).kind;
  return `must be one of "dense", "mask", "one-layer", "mp", "rp", "pruned", "quantized", "binary", got ${showValue(kind)}`;
}

export type WeightStrategy = z.output<typeof weightStrategySchema>;
/** What a config may say: like WeightStrategy, with `rescale` (and rp's `order`) optional. */
export type WeightStrategyInput = z.input<typeof weightStrategySchema>;
export type WeightStrategyKind = WeightStrategy["kind"];
export type Rescale = z.output<typeof rescaleSchema>;
export type PrunedStrategy = z.output<typeof prunedStrategySchema>;
export type PruningIndex = z.output<typeof pruningIndexSchema>;
export type QuantizedStrategy = z.output<typeof quantizedStrategySchema>;

/**
 * How a quantized baseline's forward pass (and its file) holds each weight: `bits` per level,
 * and each output channel's scale from its largest |w| (`max`: uniform levels) or its mean |w|
 * (`mean`: binary, XNOR-Net). Null for strategies whose values are used as they are.
 */
export interface WeightQuantization {
  readonly bits: number;
  readonly scale: "max" | "mean";
}

export function weightQuantization(strategy: WeightStrategy): WeightQuantization | null {
  if (strategy.kind === "quantized") return { bits: strategy.bits, scale: "max" };
  if (strategy.kind === "binary") return { bits: 1, scale: "mean" };
  return null;
}

/**
 * Whether a strategy trains the values themselves (dense, the pruned and quantized baselines),
 * so that no seed regenerates them; every other strategy masks fixed random values.
 */
export function trainsValues(kind: string): boolean {
  return kind === "dense" || kind === "pruned" || kind === "quantized" || kind === "binary";
}

/** Validates a strategy from a config or file; throws a ConfigError naming each bad field. */
export function parseWeightStrategy(input: unknown): WeightStrategy {
  return parseConfig(weightStrategySchema, input, "weight strategy");
}
