import type { ScheduleConfig } from "./schedule-config.js";

export interface ScheduleContext {
  /** The optimizer's configured lr. */
  readonly peak: number;
  readonly epochs: number;
}

/**
 * How far training has got once step `batch` of epoch `epoch` (both from 0) is done, in
 * epochs. The ConvMixer reference sets each step's lr at this point, written this way
 * (`epoch + (i + 1) / len(trainloader)`), so a step never runs at the schedule's lr of 0.
 */
export function progressAfterStep(epoch: number, batch: number, batchesPerEpoch: number): number {
  return epoch + (batch + 1) / batchesPerEpoch;
}

/** The learning rate at `progress` epochs (see progressAfterStep). */
export function learningRateAt(
  schedule: ScheduleConfig,
  { peak, epochs }: ScheduleContext,
  progress: number,
): number {
  switch (schedule.kind) {
    case "constant":
      return peak;
    case "piecewise-linear":
      // Knots at whole epochs, floored as the reference's `epochs * 2 // 5`.
      return interpolate(
        progress,
        [0, Math.floor((epochs * 2) / 5), Math.floor((epochs * 4) / 5), epochs],
        [0, peak, peak / 20, 0],
      );
    case "cosine": {
      const { warmupEpochs, minLr } = schedule;
      if (progress < warmupEpochs) return (peak * progress) / warmupEpochs;
      const fraction = Math.min(1, (progress - warmupEpochs) / (epochs - warmupEpochs));
      return minLr + 0.5 * (peak - minLr) * (1 + Math.cos(Math.PI * fraction));
    }
  }
}

/**
 * numpy.interp for one point: piecewise-linear through (xs[i], ys[i]), xs non-decreasing,
 * flat beyond the ends. Where xs repeats a value, the last point with that x wins, and the
 * arithmetic is numpy's (slope * (x - xs[j]) + ys[j]), so results match it bit for bit.
 */
export function interpolate(x: number, xs: readonly number[], ys: readonly number[]): number {
  const last = xs.length - 1;
  if (last < 0 || ys.length !== xs.length) {
    throw new RangeError(
      `interpolate needs as many ys as xs (>= 1), got ${xs.length} and ${ys.length}`,
    );
  }
  if (x < (xs[0] as number)) return ys[0] as number;
  if (x >= (xs[last] as number)) return ys[last] as number;
  let j = 0;
  while ((xs[j + 1] as number) <= x) j++;
  const x0 = xs[j] as number;
  const y0 = ys[j] as number;
  if (x === x0) return y0;
  const slope = ((ys[j + 1] as number) - y0) / ((xs[j + 1] as number) - x0);
  return slope * (x - x0) + y0;
}
