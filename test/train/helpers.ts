import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Dataset } from "../../src/data/index.js";
import { F, type Tensor } from "../../src/engine/index.js";
import { BatchNorm, Layer, MaskedLinear } from "../../src/nn/index.js";
import { createGenerator } from "../../src/random/index.js";
import { testRandom } from "../helpers/test-random.js";

export interface TinyMlpConfig {
  inputs: number;
  hidden: number;
  classes: number;
  /** Seeds the fixed weights and the scores. */
  seed: number;
  /** Dropout before the classifier (libtorch's generator), 0 for none. */
  dropout?: number;
}

/** A masked MLP: flatten -> masked linear -> BatchNorm -> ReLU -> dropout -> masked linear. */
export class TinyMaskedMlp extends Layer {
  readonly hidden: MaskedLinear;
  readonly norm: BatchNorm;
  readonly classifier: MaskedLinear;
  readonly #dropout: number;

  constructor(config: TinyMlpConfig) {
    super();
    const mode = { kind: "masked", keepFraction: 0.5 } as const;
    const kaiming = (fanIn: number, size: number, stream: string) =>
      createGenerator(config.seed, stream).fillNormal(
        new Float32Array(size),
        0,
        Math.sqrt(2 / fanIn),
      );
    this.hidden = this.registerModule(
      "hidden",
      new MaskedLinear({
        inFeatures: config.inputs,
        outFeatures: config.hidden,
        mode,
        values: kaiming(config.inputs, config.inputs * config.hidden, "hidden"),
        scoreSeed: config.seed,
        scoreStream: "hidden-scores",
      }),
    );
    this.norm = this.registerModule(
      "norm",
      new BatchNorm({ channels: config.hidden, affine: true, eps: 1e-5, momentum: 0.1 }),
    );
    this.classifier = this.registerModule(
      "classifier",
      new MaskedLinear({
        inFeatures: config.hidden,
        outFeatures: config.classes,
        mode,
        values: kaiming(config.hidden, config.hidden * config.classes, "classifier"),
        scoreSeed: config.seed,
        scoreStream: "classifier-scores",
      }),
    );
    this.#dropout = config.dropout ?? 0;
  }

  forward(input: Tensor): Tensor {
    const batch = input.shape[0] as number;
    const hidden = this.hidden.forward(input.flatten(1));
    const normed = this.norm.forward(hidden.reshape(batch, -1, 1, 1)).reshape(batch, -1);
    return this.classifier.forward(F.dropout(F.relu(normed), this.#dropout, this.training));
  }
}

/**
 * Images of `classes` noisy class prototypes (1 x side x side, pixel bytes), labels cycling
 * through the classes; `seed` picks the noise, `prototypeSeed` the prototypes.
 */
export function syntheticDataset(options: {
  count: number;
  classes: number;
  side: number;
  seed: number;
  prototypeSeed?: number;
}): Dataset {
  const { count, classes, side } = options;
  const pixels = side * side;
  const prototypeRandom = testRandom(options.prototypeSeed ?? 1000);
  const prototypes = Array.from({ length: classes }, () =>
    Float64Array.from({ length: pixels }, () => 40 + 175 * prototypeRandom()),
  );
  const noise = testRandom(options.seed);
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    labels[i] = label;
    const prototype = prototypes[label] as Float64Array;
    for (let p = 0; p < pixels; p++) {
      const value = (prototype[p] as number) + 120 * (noise() - 0.5);
      images[i * pixels + p] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return { name: "mnist", images, labels, count, channels: 1, height: side, width: side, classes };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function temporaryDirectory(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `pemn-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The raw bytes of every state tensor, for bit-exact comparison. */
export function stateSnapshot(model: Layer): Map<string, Uint8Array> {
  return new Map(
    model
      .namedState()
      .map(([name, tensor]) => [name, new Uint8Array(tensor.toFloat32Array().buffer)]),
  );
}
