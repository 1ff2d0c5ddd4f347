import type { DecodedModel } from "../artifact/decode-model.js";
import { decodeModelBytes } from "../artifact/decode-model.js";
import {
  type DataDescription,
  type DatasetRecordLike,
  dataMismatch,
  describeData,
} from "../data/data-description.js";
import type { ImageShape } from "../data/image-shape.js";
import { Normalizer } from "../data/normalization.js";
import { noGrad, resolveDevice, tensor, tidy } from "../engine/index.js";
import type { ModelConfig } from "../models/index.js";
import type { Layer } from "../nn/index.js";
import { buildDecodedModel } from "../packing/build-decoded-model.js";
import { argmax, softmax } from "./softmax.js";

/** What a model makes of one image. */
export interface Prediction {
  /** The class with the largest logit (the first of equal ones). */
  readonly predicted: number;
  /** Its name, where the model's data names its classes. */
  readonly className?: string;
  /** The predicted class's probability. */
  readonly probability: number;
  /** Softmax of the logits (float64), by class. */
  readonly probabilities: readonly number[];
  readonly logits: Float32Array;
}

export interface ClassifierOptions {
  /**
   * The model's dataset, for a file that does not record it (packed before pemn recorded
   * it), e.g. `data.builtInDatasetRecord("fashion-mnist")`: its normalisation and class names.
   * Checked to fit the model; one naming another dataset than the file's is refused.
   */
  readonly dataset?: DatasetRecordLike;
  /** "cpu" (default), "cuda", "cuda:N" or "auto". */
  readonly device?: string;
  /** Images per forward pass (default 64). */
  readonly batchSize?: number;
}

/**
 * A `.pemn` model ready to classify images: the engine model its decoded weights describe
 * (buildDecodedModel: it computes what the trained model computed, bit for bit), fed as its
 * dataset record says (each pixel value v of channel c as (v / 255 - mean[c]) / std[c], the
 * dataset's constants) and naming its classes as the record does. Holds libtorch memory until
 * dispose().
 */
export class PemnClassifier {
  readonly #model: Layer;
  readonly #normalizer: Normalizer | null;
  readonly #batchSize: number;

  private constructor(
    readonly decoded: DecodedModel,
    model: Layer,
    readonly data: DataDescription | null,
    batchSize: number,
  ) {
    this.#model = model;
    const stats = data?.normalization ?? null;
    this.#normalizer = stats === null ? null : new Normalizer(stats, decoded.model.input);
    this.#batchSize = batchSize;
  }

  /** The classifier of a `.pemn` file's bytes (PemnFormatError / PemnModelError if they are not one). */
  static fromBytes(bytes: Uint8Array, options: ClassifierOptions = {}): PemnClassifier {
    return PemnClassifier.fromDecoded(decodeModelBytes(bytes), options);
  }

  /** The classifier of a decoded model (decodeModelBytes, readDecodedModel). */
  static fromDecoded(decoded: DecodedModel, options: ClassifierOptions = {}): PemnClassifier {
    const recorded = decoded.dataset;
    const given = options.dataset;
    if (recorded !== undefined && given !== undefined && given.name !== recorded.name) {
      throw new Error(
        `the file records that its model was trained on ${recorded.name}, not ${given.name}`,
      );
    }
    const data = describeData(recorded ?? given, decoded.model);
    const problem = data === null ? null : dataMismatch(data, decoded.model);
    if (problem !== null) throw new Error(`${data?.dataset} does not fit the model: ${problem}`);
    const batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    const model = buildDecodedModel(decoded);
    try {
      model.to(resolveDevice(options.device ?? "cpu"));
    } catch (error) {
      model.dispose();
      throw error;
    }
    return new PemnClassifier(decoded, model, data, batchSize);
  }

  get config(): ModelConfig {
    return this.decoded.model;
  }

  /** The images the model takes, channel-major. */
  get input(): ImageShape {
    return this.decoded.model.input;
  }

  get classNames(): readonly string[] | undefined {
    return this.data?.classNames;
  }

  /**
   * Classifies images of uint8 pixels laid end to end, each C x H x W as the model's input
   * (channel-major: every pixel of channel 0, then channel 1, ...), normalised as the model's
   * data says. Throws if the model's data is unknown (give `data` when building it).
   */
  predict(pixels: Uint8Array): Prediction[] {
    if (this.#normalizer === null) {
      throw new Error(
        "the model's file does not say how its inputs were normalised (no dataset record, or one pemn has no constants for): build the classifier with { dataset: data.builtInDatasetRecord(name) }, or use logits() on normalised images",
      );
    }
    return this.#predictions(this.logits(this.#normalizer.normalizeImages(pixels)));
  }

  /** The logits [images, classes] of normalised float32 images laid end to end (C x H x W each). */
  logits(images: Float32Array): Float32Array {
    const { channels, height, width } = this.input;
    const size = channels * height * width;
    if (images.length % size !== 0) {
      throw new RangeError(
        `${images.length} values is not a whole number of ${channels}x${height}x${width} images`,
      );
    }
    const count = images.length / size;
    const classes = this.decoded.model.classes;
    const logits = new Float32Array(count * classes);
    const device = this.#model.device;
    noGrad(() => {
      for (let start = 0; start < count; start += this.#batchSize) {
        const batch = Math.min(this.#batchSize, count - start);
        const part = images.subarray(start * size, (start + batch) * size);
        logits.set(
          tidy(() => {
            const onDevice = tensor(part, [batch, channels, height, width]).toDevice(device);
            const format = this.#model.inputMemoryFormat;
            const input = format === "contiguous" ? onDevice : onDevice.contiguous(format);
            return this.#model.forward(input).toFloat32Array();
          }),
          start * classes,
        );
      }
    });
    return logits;
  }

  /** Frees the model's tensors. */
  dispose(): void {
    this.#model.dispose();
  }

  #predictions(logits: Float32Array): Prediction[] {
    const classes = this.decoded.model.classes;
    const names = this.classNames;
    return Array.from({ length: logits.length / classes }, (_, row) => {
      const rowLogits = logits.slice(row * classes, (row + 1) * classes);
      const probabilities = softmax(rowLogits);
      const predicted = argmax(rowLogits);
      return {
        predicted,
        ...(names === undefined ? {} : { className: names[predicted] as string }),
        probability: probabilities[predicted] as number,
        probabilities,
        logits: rowLogits,
      };
    });
  }
}
