import onnxProto from "onnx-proto";
import type { DataDescription } from "../data/data-description.js";
import type { ChannelStats } from "../data/normalization.js";
import type { ModelConfig } from "../models/pure.js";

const { onnx } = onnxProto;

/**
 * The keys of an exported model's `metadata_props`, so that the file says how to feed it:
 * strings, JSON where a value has structure. The layout keys are always there; the data keys
 * where the `.pemn` file records its dataset (the normalisation where pemn knows that dataset,
 * the class names where the file has them).
 */
export const ONNX_METADATA_KEYS = {
  /** The dataset the model was trained on. */
  dataset: "dataset",
  /** "NCHW": a batch of channel-major images. */
  layout: "input_layout",
  /** JSON, e.g. ["batch",1,28,28]: the input's dimensions, the batch dynamic. */
  shape: "input_shape",
  /** "grayscale" (1 channel), "RGB" (3, in that order), or "<n> channels". */
  color: "input_color",
  /** How a pixel value becomes an input, in words (with `normalization`). */
  scaling: "input_scaling",
  /** JSON { mean, std }, per channel, of pixel values scaled to [0, 1]. */
  normalization: "normalization",
  /** "logits": unnormalised scores; softmax gives probabilities. */
  output: "output",
  /** The class count. */
  classes: "num_classes",
  /** JSON list: the classes' names in label order. */
  classNames: "class_names",
} as const;

export const INPUT_SCALING =
  "pixel / 255, then (x - mean[c]) / std[c] with normalization's mean and std";

/** How to feed an exported model, as its metadata says (readOnnxInputSpec). */
export interface OnnxInputSpec {
  readonly layout: "NCHW";
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly classes: number;
  /** null when the model's metadata records no dataset. */
  readonly data: DataDescription | null;
}

/** The metadata entries of a model of `config` trained on data `data` (null: not recorded). */
export function onnxMetadataEntries(
  config: ModelConfig,
  data: DataDescription | null,
): [string, string][] {
  const { channels, height, width } = config.input;
  const keys = ONNX_METADATA_KEYS;
  const entries: [string, string][] = [];
  if (data !== null) entries.push([keys.dataset, data.dataset]);
  entries.push(
    [keys.layout, "NCHW"],
    [keys.shape, JSON.stringify(["batch", channels, height, width])],
    [keys.color, channels === 1 ? "grayscale" : channels === 3 ? "RGB" : `${channels} channels`],
  );
  if (data?.normalization != null) {
    const { mean, std } = data.normalization;
    entries.push(
      [keys.scaling, INPUT_SCALING],
      [keys.normalization, JSON.stringify({ mean, std })],
    );
  }
  entries.push([keys.output, "logits"], [keys.classes, String(config.classes)]);
  if (data?.classNames !== undefined) {
    entries.push([keys.classNames, JSON.stringify(data.classNames)]);
  }
  return entries;
}

/** An ONNX model's `metadata_props`, key to value (the protobuf read with onnx-proto). */
export function readOnnxMetadata(bytes: Uint8Array): Map<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  return new Map(
    (model.metadataProps ?? []).map((entry) => [entry.key ?? "", entry.value ?? ""] as const),
  );
}

/**
 * How to feed a model pemn exported, from its metadata alone (onnxruntime does not expose
 * custom metadata): its input layout and shape, class count, and its dataset's normalisation
 * and class names where it records them. Throws an Error naming the key for a model without
 * pemn's layout entries or with malformed ones.
 */
export function readOnnxInputSpec(bytes: Uint8Array): OnnxInputSpec {
  const metadata = readOnnxMetadata(bytes);
  const keys = ONNX_METADATA_KEYS;
  const value = (key: string): string => {
    const found = metadata.get(key);
    if (found === undefined) throw new Error(`the ONNX model's metadata has no "${key}"`);
    return found;
  };
  const json = (key: string): unknown => {
    try {
      return JSON.parse(value(key));
    } catch (error) {
      throw new Error(
        `the ONNX model's metadata "${key}" is not JSON: ${(error as Error).message}`,
      );
    }
  };
  const layout = value(keys.layout);
  const shape = json(keys.shape);
  if (
    layout !== "NCHW" ||
    !Array.isArray(shape) ||
    shape.length !== 4 ||
    !shape.slice(1).every((length) => Number.isInteger(length) && length > 0)
  ) {
    throw new Error(
      `the ONNX model's input is ${layout} ${JSON.stringify(shape)}, not NCHW [batch, C, H, W]`,
    );
  }
  const [channels, height, width] = shape.slice(1) as [number, number, number];
  const classes = Number(value(keys.classes));
  const dataset = metadata.get(keys.dataset);
  if (dataset === undefined)
    return { layout: "NCHW", channels, height, width, classes, data: null };
  let normalization: ChannelStats | null = null;
  if (metadata.has(keys.normalization)) {
    const stats = json(keys.normalization) as { mean?: unknown; std?: unknown };
    const perChannel = (list: unknown): list is number[] =>
      Array.isArray(list) && list.length === channels && list.every(Number.isFinite);
    if (!perChannel(stats?.mean) || !perChannel(stats?.std)) {
      throw new Error(
        `the ONNX model's metadata "${keys.normalization}" is not a mean and a std for each of ${channels} channels`,
      );
    }
    normalization = { mean: stats.mean, std: stats.std };
  }
  let classNames: string[] | undefined;
  if (metadata.has(keys.classNames)) {
    const names = json(keys.classNames);
    if (
      !Array.isArray(names) ||
      names.length !== classes ||
      !names.every((name) => typeof name === "string")
    ) {
      throw new Error(`the ONNX model's metadata "${keys.classNames}" is not ${classes} names`);
    }
    classNames = names;
  }
  return {
    layout: "NCHW",
    channels,
    height,
    width,
    classes,
    data: { dataset, normalization, ...(classNames === undefined ? {} : { classNames }) },
  };
}
