/**
 * Straightforward float64 references for the engine's ops, written from their
 * definitions (loops, no libtorch), so tests compare against independent values.
 * Arrays are row-major; shapes are given explicitly.
 */

export interface Conv2dSpec {
  batch: number;
  inChannels: number;
  height: number;
  width: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  groups: number;
}

export function conv2dOutputSize(spec: Conv2dSpec): [number, number] {
  const out = (n: number) => Math.floor((n + 2 * spec.padding - spec.kernel) / spec.stride) + 1;
  return [out(spec.height), out(spec.width)];
}

export function referenceConv2d(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  s: Conv2dSpec,
): Float64Array {
  const [oh, ow] = conv2dOutputSize(s);
  const inPerGroup = s.inChannels / s.groups;
  const outPerGroup = s.outChannels / s.groups;
  const y = new Float64Array(s.batch * s.outChannels * oh * ow);
  for (let n = 0; n < s.batch; n++)
    for (let o = 0; o < s.outChannels; o++) {
      const group = Math.floor(o / outPerGroup);
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let acc = 0;
          for (let c = 0; c < inPerGroup; c++) {
            const inC = group * inPerGroup + c;
            for (let ki = 0; ki < s.kernel; ki++)
              for (let kj = 0; kj < s.kernel; kj++) {
                const yi = i * s.stride - s.padding + ki;
                const xj = j * s.stride - s.padding + kj;
                if (yi < 0 || yi >= s.height || xj < 0 || xj >= s.width) continue;
                const xv = x[((n * s.inChannels + inC) * s.height + yi) * s.width + xj] as number;
                const wv = w[((o * inPerGroup + c) * s.kernel + ki) * s.kernel + kj] as number;
                acc += xv * wv;
              }
          }
          y[((n * s.outChannels + o) * oh + i) * ow + j] = acc;
        }
    }
  return y;
}

/** a [m, k] x b [k, n] */
export function referenceMatmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += (a[i * k + t] as number) * (b[t * n + j] as number);
      y[i * n + j] = acc;
    }
  return y;
}

/** erf by its Maclaurin series (|x| < 3) or continued fraction tail: accurate to ~1e-15. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) (Lentz-free backward evaluation)
  let fraction = 0;
  for (let n = 60; n >= 1; n--) fraction = n / 2 / (ax + fraction);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + fraction);
  return Math.sign(x) * (1 - erfc);
}

export function referenceGelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** Normalises each [C] slice of [N, C, HW] over N and HW (batch statistics, biased variance). */
export function referenceBatchNorm(
  x: ArrayLike<number>,
  n: number,
  c: number,
  hw: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  eps: number,
): { y: Float64Array; mean: Float64Array; unbiasedVar: Float64Array } {
  const y = new Float64Array(n * c * hw);
  const mean = new Float64Array(c);
  const unbiasedVar = new Float64Array(c);
  const count = n * hw;
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let b = 0; b < n; b++)
      for (let p = 0; p < hw; p++) sum += x[(b * c + ch) * hw + p] as number;
    const mu = sum / count;
    let sq = 0;
    for (let b = 0; b < n; b++)
      for (let p = 0; p < hw; p++) sq += ((x[(b * c + ch) * hw + p] as number) - mu) ** 2;
    const variance = sq / count;
    mean[ch] = mu;
    unbiasedVar[ch] = sq / (count - 1);
    for (let b = 0; b < n; b++)
      for (let p = 0; p < hw; p++) {
        const at = (b * c + ch) * hw + p;
        y[at] =
          (((x[at] as number) - mu) / Math.sqrt(variance + eps)) * (gamma[ch] as number) +
          (beta[ch] as number);
      }
  }
  return { y, mean, unbiasedVar };
}

/** Normalises each row of [rows, d]. */
export function referenceLayerNorm(
  x: ArrayLike<number>,
  rows: number,
  d: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  eps: number,
): Float64Array {
  const y = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let i = 0; i < d; i++) sum += x[r * d + i] as number;
    const mu = sum / d;
    let sq = 0;
    for (let i = 0; i < d; i++) sq += ((x[r * d + i] as number) - mu) ** 2;
    const inv = 1 / Math.sqrt(sq / d + eps);
    for (let i = 0; i < d; i++)
      y[r * d + i] =
        ((x[r * d + i] as number) - mu) * inv * (gamma[i] as number) + (beta[i] as number);
  }
  return y;
}

export function referenceLogSoftmaxRow(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i] as number);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp((row[i] as number) - max);
  const logSum = max + Math.log(sum);
  return Float64Array.from({ length: row.length }, (_, i) => (row[i] as number) - logSum);
}

/** Mean cross-entropy with label smoothing s: target distribution (1 - s) one-hot + s / C. */
export function referenceCrossEntropy(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  smoothing: number,
): number {
  let total = 0;
  for (let n = 0; n < labels.length; n++) {
    const logp = referenceLogSoftmaxRow(
      Array.from({ length: classes }, (_, c) => logits[n * classes + c] as number),
    );
    let loss = 0;
    for (let c = 0; c < classes; c++) {
      const target = (c === labels[n] ? 1 - smoothing : 0) + smoothing / classes;
      loss -= target * (logp[c] as number);
    }
    total += loss;
  }
  return total / labels.length;
}
