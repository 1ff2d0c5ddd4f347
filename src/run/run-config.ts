import { totalmem } from "node:os";
import { z } from "zod";
import { type ConfigFlag, configFlags, flag } from "../config/config-flags.js";
import { configError, parseConfig } from "../config/parse-config.js";
import {
  datasetInfo,
  datasetSourceSchema,
  resolveDatasetSource,
  validationSplitSchema,
} from "../data/index.js";
import {
  BACKBONE_NAMES,
  backboneConfigFlags,
  defaultRescale,
  type MaskedLayerSpec,
  type ModelConfig,
  type ModelLayout,
  modelLayout,
  parseModelConfig,
  usesBatchNorm,
} from "../models/index.js";
import { keptCount } from "../nn/index.js";
import { MAX_EPOCHS, seedSchema, trainConfigSchema } from "../train/index.js";
import {
  DEFAULT_KEEP_FRACTION,
  trainsValues,
  type WeightStrategy,
  weightStrategySchema,
} from "../weights/index.js";
import { deepMerge } from "./config-file.js";

/**
 * Everything `pemn train` does, as plain data (a JSON or YAML file, flags on top). The
 * defaults here are the only ones: a run of plain edge-popup on Fashion-MNIST.
 */
export const runConfigSchema = z.strictObject({
  /** A backbone config without `input` and `classes`: the dataset supplies them. */
  model: z
    .looseObject({
      name: z
        .string({ error: "model.name is required" })
        .meta(flag("model", BACKBONE_NAMES.join(" | "), { valueName: "name" })),
    })
    .prefault({ name: "convmixer" }),
  strategy: weightStrategySchema.default({ kind: "mask" }),
  /** Fraction of each masked layer's weights the mask keeps. */
  keepFraction: z
    .number({ error: "keepFraction must be a number" })
    .gt(0, { error: "keepFraction must be in (0, 1]" })
    .max(1, { error: "keepFraction must be in (0, 1]" })
    .default(DEFAULT_KEEP_FRACTION)
    .meta(flag("keep", "fraction of weights each mask keeps", { valueName: "k" })),
  /** Keep fractions of particular masked layers by name (docs/models.md names them). */
  keepFractionByLayer: z
    .record(
      z.string(),
      z
        .number({ error: "each keep fraction must be a number" })
        .gt(0, { error: "each keep fraction must be in (0, 1]" })
        .max(1, { error: "each keep fraction must be in (0, 1]" }),
    )
    .default({}),
  /** Seeds the fixed weights, the scores, the validation split and every training draw. */
  seed: seedSchema.meta(flag("seed", "seed of weights, scores, split and training")),
  data: z
    .strictObject({
      source: datasetSourceSchema.prefault({ name: "fashion-mnist" }),
      validation: validationSplitSchema.prefault({ size: { fraction: 0.1 } }),
      /** Train on the first N training images only (after the validation split): quick runs. */
      trainLimit: z
        .number({ error: "data.trainLimit must be a number" })
        .int({ error: "data.trainLimit must be an integer" })
        .positive({ error: "data.trainLimit must be positive" })
        .nullable()
        .default(null)
        .meta(flag("train-limit", "train on the first n training images")),
    })
    .prefault({}),
  /**
   * Training as src/train's TrainConfig, less its seed (the run's seed serves), with
   * `epochs: 0` allowed: then the model is built and summarised, not trained.
   */
  train: z
    .looseObject({
      epochs: z
        .number({ error: "train.epochs must be a number" })
        .int({ error: "train.epochs must be an integer" })
        .min(0, { error: "train.epochs must be >= 0" })
        .max(MAX_EPOCHS, { error: `train.epochs must be at most ${MAX_EPOCHS}` })
        .default(10)
        .meta(flag("epochs", "epochs (0: build and summarise only)")),
    })
    .prefault({}),
});

export type RunConfigInput = z.input<typeof runConfigSchema>;

/** A validated run: the model config completed from the dataset, the training config checked. */
export interface RunConfig extends Omit<z.output<typeof runConfigSchema>, "model" | "train"> {
  readonly model: ModelConfig;
  readonly train: z.output<typeof trainConfigSchema>;
}

const TRAIN_DEFAULTS = {
  batchSize: 128,
  optimizer: { kind: "adamw", lr: 0.01, weightDecay: 0.005 },
  schedule: { kind: "piecewise-linear" },
};

const RUN_CONFIG = "run config";

export function parseRunConfig(value: unknown): RunConfig {
  const { model, train, ...parsed } = parseConfig(runConfigSchema, value, RUN_CONFIG);
  // An image folder's classes are listed once, here: config.json records them (and the labels).
  const rest = {
    ...parsed,
    data: { ...parsed.data, source: resolveDatasetSource(parsed.data.source) },
  };
  // A stored config (config.json) repeats the seed in train; a different one is a mistake.
  if ("seed" in train && train.seed !== rest.seed) {
    throw configError(RUN_CONFIG, ["train", "seed"], "use the top-level seed");
  }
  const info = datasetInfo(rest.data.source);
  const shape = { channels: info.channels, height: info.height, width: info.width };
  for (const [field, expected] of [
    ["input", shape],
    ["classes", info.classes],
  ] as const) {
    if (field in model && JSON.stringify(model[field]) !== JSON.stringify(expected)) {
      throw configError(
        RUN_CONFIG,
        ["model", field],
        `${rest.data.source.name} has ${JSON.stringify(expected)}, not ${JSON.stringify(model[field])}`,
      );
    }
  }
  const trainInput = { ...(deepMerge(TRAIN_DEFAULTS, train) as object), seed: rest.seed };
  // epochs 0 (inspect only) is checked as 1 epoch: every other field must still be valid.
  // Parsed under a `train` key so that each bad field is named by its path in the run config.
  const checked = parseConfig(
    z.object({ train: trainConfigSchema }),
    { train: { ...trainInput, epochs: Math.max(1, train.epochs) } },
    RUN_CONFIG,
  );
  const modelConfig = parseModelConfig({ ...model, input: shape, classes: info.classes });
  const modelLayers = modelLayout(modelConfig);
  const layout = modelLayers.maskedLayers;
  const layerNames = new Set(layout.map((layer) => layer.name));
  for (const name of Object.keys(rest.keepFractionByLayer)) {
    if (!layerNames.has(name)) {
      throw configError(
        RUN_CONFIG,
        ["keepFractionByLayer", name],
        `${modelConfig.name} has no masked layer of that name (it has ${[...layerNames].join(", ")})`,
      );
    }
  }
  const config = {
    ...rest,
    strategy: withDefaultRescale(rest.strategy, value, modelLayers),
    model: modelConfig,
    train: { ...checked.train, epochs: train.epochs },
  };
  checkServable(config, layout);
  return config;
}

/**
 * mp's and rp's rescale, when the config does not say, from the network (defaultRescale):
 * the schema's "none" is only a placeholder until the model is known.
 */
function withDefaultRescale(
  strategy: WeightStrategy,
  input: unknown,
  layout: ModelLayout,
): WeightStrategy {
  if (strategy.kind !== "mp" && strategy.kind !== "rp") return strategy;
  const given = (input as { strategy?: { rescale?: unknown } } | null)?.strategy?.rescale;
  return given === undefined ? { ...strategy, rescale: defaultRescale(layout) } : strategy;
}

/** The .pemn format's limit on a tensor's elements (maxElements of src/artifact/format/format-spec.ts; a test keeps them equal). */
export const MAX_LAYER_WEIGHTS = 2 ** 30;
/**
 * Bytes a masked weight takes while training: values, scores, the scores' gradient, AdamW's
 * two slots, the mask and the copies a checkpoint makes. Building alone takes values and
 * scores. Activations come on top, so this is a lower bound.
 */
const TRAINING_BYTES_PER_WEIGHT = 40;
const BUILDING_BYTES_PER_WEIGHT = 8;

/** Limits the model would accept but could not serve, refused before anything is allocated. */
function checkServable(config: RunConfig, layout: readonly MaskedLayerSpec[]): void {
  const fail = (path: readonly string[], message: string): never => {
    throw configError(RUN_CONFIG, path, message);
  };
  let weights = 0;
  for (const layer of layout) {
    const size = layer.shape.reduce((product, length) => product * length, 1);
    weights += size;
    if (size > MAX_LAYER_WEIGHTS) {
      fail(
        ["model"],
        `masked layer ${layer.name} has ${size} weights, more than a .pemn file can hold (2^30 = ${MAX_LAYER_WEIGHTS})`,
      );
    }
    // Only masks over fixed values keep a fraction: the other strategies train every weight.
    if (trainsValues(config.strategy.kind)) continue;
    const byLayer = config.keepFractionByLayer[layer.name];
    const keep = byLayer ?? config.keepFraction;
    if (keptCount(size, keep) < 1) {
      fail(
        byLayer === undefined ? ["keepFraction"] : ["keepFractionByLayer", layer.name],
        `${keep} of masked layer ${layer.name}'s ${size} weights rounds to none kept; it must be at least ${0.5 / size}`,
      );
    }
  }
  const perWeight = config.train.epochs > 0 ? TRAINING_BYTES_PER_WEIGHT : BUILDING_BYTES_PER_WEIGHT;
  const needed = weights * perWeight;
  if (needed > totalmem()) {
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
    fail(
      ["model"],
      `${weights} masked weights need at least ${gib(needed)} to ${config.train.epochs > 0 ? "train" : "build"} (${perWeight} bytes each), more than this machine's ${gib(totalmem())}`,
    );
  }
  if (config.train.epochs > 0 && config.train.batchSize < 2 && usesBatchNorm(config.model)) {
    fail(
      ["train", "batchSize"],
      `${config.model.name} uses BatchNorm, which needs at least 2 images per training batch`,
    );
  }
}

/**
 * `pemn train`'s config flags: each declared once, on its schema field (src/config/config-flags.ts),
 * and the registered backbones' after --model.
 */
export function runConfigFlags(): ConfigFlag[] {
  const flags = [...configFlags(runConfigSchema), ...configFlags(trainConfigSchema, ["train"])];
  const model = flags.findIndex((entry) => entry.path.join(".") === "model.name");
  flags.splice(model + 1, 0, ...backboneConfigFlags());
  return flags;
}
