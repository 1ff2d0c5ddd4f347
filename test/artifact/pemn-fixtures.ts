import type {
  JsonObject,
  MaskedLayer,
  NormTensor,
  PemnContents,
} from "../../src/artifact/format/index.js";
import { packMask } from "../../src/artifact/format/index.js";
import { maskedLayout, parseModelConfig } from "../../src/models/pure.js";
import { testRandom } from "../helpers/test-random.js";

export interface LayerShape {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface ModelFixture {
  readonly model: JsonObject;
  readonly masked: readonly LayerShape[];
  readonly norms: readonly LayerShape[];
}

/**
 * ConvMixer-dim/depth on CIFAR-sized input: its config, its masked layers from the model's own
 * layout, and its BatchNorm tensors named as the built model names them.
 */
export function convMixerFixture(
  dim: number,
  depth: number,
  kernel = 5,
  classes = 10,
): ModelFixture {
  const model = parseModelConfig({
    name: "convmixer",
    input: { channels: 3, height: 32, width: 32 },
    classes,
    dim,
    depth,
    kernel,
    patch: 2,
  });
  const masked = maskedLayout(model).map(({ name, shape }) => ({ name, shape }));
  const norms = [
    "patchEmbedNorm",
    ...Array.from({ length: depth }, (_, block) => [
      `blocks.${block}.depthwiseNorm`,
      `blocks.${block}.pointwiseNorm`,
    ]).flat(),
  ].flatMap((norm) =>
    ["weight", "bias", "runningMean", "runningVar"].map((part) => ({
      name: `${norm}.${part}`,
      shape: [dim],
    })),
  );
  return { model, masked, norms };
}

/** Small enough for fuzzing: 6 masked layers, 20 norm tensors. */
export const smallConvMixer = convMixerFixture(16, 2, 3);

export function elementsOf(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/** A bitset keeping exactly round(keepFraction * weights) weights at random positions. */
export function randomMask(
  weights: number,
  keepFraction: number,
  random: () => number,
): Uint8Array {
  const kept = Math.round(keepFraction * weights);
  const order = Array.from({ length: weights }, (_, index) => index);
  for (let i = weights - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const flags = new Uint8Array(weights);
  for (let i = 0; i < kept; i++) flags[order[i] as number] = 1;
  return packMask(flags);
}

export interface FixtureOptions {
  readonly seed: number;
  readonly model?: JsonObject;
  readonly strategy?: JsonObject;
  readonly masked: readonly LayerShape[];
  readonly norms?: readonly LayerShape[];
  readonly keepFraction?: number;
  readonly valueMode?: "seed" | "stored";
  readonly normDtype?: "fp32" | "fp16";
}

/**
 * Contents with random masks and norm values. In stored mode every layer takes its own slice
 * of the stored values, the largest layer's length, as max-layer padding does.
 */
export function fixtureContents(options: FixtureOptions): PemnContents {
  const random = testRandom(options.seed);
  const keepFraction = options.keepFraction ?? 0.5;
  const largest = Math.max(1, ...options.masked.map((layer) => elementsOf(layer.shape)));
  const stored = options.valueMode === "stored";
  const maskedLayers: MaskedLayer[] = options.masked.map((layer) => ({
    name: layer.name,
    shape: layer.shape,
    values: stored ? { kind: "stored", start: 0, length: largest } : { kind: "seed" },
    mask: randomMask(elementsOf(layer.shape), keepFraction, random),
  }));
  const norms: NormTensor[] = (options.norms ?? []).map((norm) => ({
    name: norm.name,
    shape: norm.shape,
    dtype: options.normDtype ?? "fp32",
    // A running variance is never negative (the decoder refuses one that is).
    values: Float32Array.from({ length: elementsOf(norm.shape) }, () =>
      norm.name.endsWith("runningVar") ? 2 * random() : 4 * random() - 2,
    ),
  }));
  return {
    model: options.model ?? { name: "test" },
    strategy: options.strategy ?? { kind: "mask" },
    generator: { name: "pemn-threefry4x32-20-v1", seed: BigInt(options.seed) },
    maskedLayers,
    storedValues: stored
      ? Float32Array.from({ length: largest }, () => random() - 0.5)
      : new Float32Array(0),
    norms,
  };
}
