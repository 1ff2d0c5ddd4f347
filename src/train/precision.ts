import { z } from "zod";
import {
  ampUnscale_,
  ampUpdateScale_,
  autocast,
  full,
  isCuda,
  keep,
  noGrad,
  type Tensor,
  tidy,
  zeros,
} from "../engine/index.js";

/**
 * How a training step computes: fp32 throughout, or mixed precision (autocast on CUDA:
 * convolutions and matrix products in bf16 or fp16, the rest in fp32). Scores, masks, norm
 * parameters and optimizer state stay fp32 either way; fp16 scales the loss (GradScaler).
 */
export const PRECISIONS = ["fp32", "bf16", "fp16"] as const;
export type Precision = (typeof PRECISIONS)[number];
export const precisionSchema = z.enum(PRECISIONS, {
  error: `precision must be one of ${PRECISIONS.join(", ")}`,
});

const AUTOCAST_DTYPE = { bf16: "bfloat16", fp16: "float16" } as const;

/** Refuses a precision the device cannot run, naming what would. */
export function checkPrecision(precision: Precision, device: string): void {
  if (precision !== "fp32" && !isCuda(device)) {
    throw new RangeError(
      `precision ${precision} needs a CUDA device (autocast runs on the GPU); on ${device} use fp32`,
    );
  }
}

/** torch.amp.GradScaler's defaults. */
const INIT_SCALE = 2 ** 16;
const SCALER = { growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000 };

/**
 * One training step's precision handling: `forward` runs the model and loss under
 * autocast, `scaled` multiplies the loss by fp16's scale before backward, `unscaleFinite`
 * takes it out of the gradients again.
 */
export class StepPrecision {
  readonly #scale: Tensor | null = null;
  readonly #growthTracker: Tensor | null = null;

  constructor(
    readonly precision: Precision,
    readonly device: string,
  ) {
    checkPrecision(precision, device);
    if (precision === "fp16") {
      this.#scale = keep(full([1], INIT_SCALE).toDevice(device));
      this.#growthTracker = keep(zeros([1], "int32").toDevice(device));
    }
  }

  forward<R>(fn: () => R): R {
    return this.precision === "fp32"
      ? fn()
      : autocast(this.device, AUTOCAST_DTYPE[this.precision], fn);
  }

  /** The loss to differentiate: scaled for fp16. */
  scaled(loss: Tensor): Tensor {
    return this.#scale === null ? loss : loss.mul(this.#scale);
  }

  /**
   * Divides the gradients back by the loss scale (fp16) and says whether they are all
   * finite; if not, the caller skips the step and the scale is lowered, as GradScaler does.
   * Without scaling, true.
   */
  unscaleFinite(parameters: readonly Tensor[]): boolean {
    const scale = this.#scale;
    const growthTracker = this.#growthTracker;
    if (scale === null || growthTracker === null) return true;
    return tidy(() =>
      noGrad(() => {
        const foundInf = zeros([1]).toDevice(this.device);
        const grads = parameters.flatMap((parameter) => parameter.grad ?? []);
        ampUnscale_(grads, foundInf, scale.reciprocal());
        ampUpdateScale_(scale, growthTracker, foundInf, SCALER);
        return foundInf.item() === 0;
      }),
    );
  }

  dispose(): void {
    this.#scale?.dispose();
    this.#growthTracker?.dispose();
  }
}
