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
