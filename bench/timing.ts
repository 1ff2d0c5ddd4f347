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
