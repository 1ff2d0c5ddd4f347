import { interpolate } from "./interpolate.js";
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
