/** Median seconds per call of `step` after 3 warm-up calls, over at least minSeconds and minIterations. */
export function measure(step: () => void, minSeconds: number, minIterations: number): number {
  for (let i = 0; i < 3; i++) step();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minIterations || performance.now() - start < minSeconds * 1000) {
    const t0 = performance.now();
    step();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2
    ? (times[mid] as number)
    : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
}

/**
 * Seconds per step on a device that runs asynchronously: rounds of `perRound` steps, each
 * closed by waiting for the device, the median round's time over its steps (timing one step
 * alone would time the queueing, not the work). As bench/reference/training_step.py times it.
 */
export function measureQueued(
  step: () => void,
  wait: () => void,
  minSeconds: number,
  perRound = 10,
): number {
  for (let i = 0; i < 3; i++) step();
  wait();
  return (
    measure(
      () => {
        for (let i = 0; i < perRound; i++) step();
        wait();
      },
      minSeconds,
      3,
    ) / perRound
  );
}
