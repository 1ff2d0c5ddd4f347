import { noGrad, type Tensor, tidy } from "../engine/index.js";

/**
 * How the quantized baselines hold a weight in their forward pass (docs/baselines.md), per
 * output channel (dim 0), with levels and scales as the `.pemn` file stores them:
 * - `quantized`, b bits: q = 2^(b-1) - 1, scale = bf16(max|w| / q) (float32 division, then
 *   rounded to bfloat16; a channel of zeros takes the smallest normal float32, FLT_MIN, so that
 *   no level is 0 / 0), level = clamp(round(w / scale), -q, q) (round half to even);
 * - `binary`: scale = bf16(mean |w|) (libtorch's float32 mean), level = +1 where w >= 0 (w = 0
 *   and -0 included, so one bit holds it), -1 elsewhere (XNOR-Net's sign(w) x mean |w|).
 * Scales are bfloat16 (round to nearest even) so that the file stores them in 16 bits: a
 * depthwise layer has a scale per 25 weights, which at float32 cost 1.28 bits per weight. The
 * weight the layer computes with is level x scale, one float32 product per weight: exactly
 * what the decoder rebuilds from the file.
 */
export type WeightQuantizerMode =
  | { readonly kind: "quantized"; readonly bits: number }
  | { readonly kind: "binary" };

/** Integer-valued float32 levels in the weight's shape, and one scale per output channel. */
export interface QuantizedTensor {
  /** Same shape as the weight. */
  readonly levels: Tensor;
  /** [outChannels, 1, ..., 1]: broadcasts over the weight. */
  readonly scales: Tensor;
}

/** The smallest normal float32: the scale of a channel whose weights are all zero. */
export const FLT_MIN = 2 ** -126;

/** The largest level of b-bit symmetric quantization, 2^(b-1) - 1 (127 at 8 bits, 7 at 4). */
export function largestLevel(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/** The levels and scales of `values` (no gradient flows through them; the caller owns both). */
export function quantizeTensor(values: Tensor, mode: WeightQuantizerMode): QuantizedTensor {
  return noGrad(() =>
    tidy(() => {
      const w = values.detach();
      const shape = w.shape;
      const channels = shape[0] as number;
      const rows = w.abs().reshape(channels, w.size / channels);
      const channelShape = shape.map((length, axis) => (axis === 0 ? length : 1));
      if (mode.kind === "binary") {
        const scales = toBfloat16(rows.mean([1], true)).reshape(...channelShape);
        const levels = w.ge(0).to("float32").mul(2).sub(1);
        return { levels, scales };
      }
      const top = largestLevel(mode.bits);
      const largest = rows.maxAlong(1, true).values.reshape(...channelShape);
      const scales = toBfloat16(largest.div(top)).clamp(FLT_MIN, null);
      const levels = w.div(scales).round().clamp(-top, top);
      return { levels, scales };
    }),
  );
}

/** Float32 values rounded to the nearest bfloat16 (ties to even), still float32. */
function toBfloat16(values: Tensor): Tensor {
  return values.to("bfloat16").to("float32");
}

/**
 * The weight the forward pass uses, level x scale, with a straight-through gradient: the
 * quantized value plus (w - w.detach()), which is +0 (so the sum is exactly level x scale) and
 * passes d loss / d weight on to w unchanged.
 */
export function quantizedWeight(values: Tensor, mode: WeightQuantizerMode): Tensor {
  return tidy(() => {
    const { levels, scales } = quantizeTensor(values, mode);
    const quantized = noGrad(() => levels.mul(scales));
    return quantized.add(values.sub(values.detach()));
  });
}
