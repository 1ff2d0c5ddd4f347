/** Softmax in float64, shifted by the largest logit. */
export function softmax(logits: ArrayLike<number>): number[] {
  const values = Array.from(logits);
  const largest = Math.max(...values);
  const exponentials = values.map((value) => Math.exp(value - largest));
  const sum = exponentials.reduce((total, value) => total + value, 0);
  return exponentials.map((value) => value / sum);
}

/** The index of the largest value, the first of equal ones (as argmax). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let index = 1; index < values.length; index++) {
    if ((values[index] as number) > (values[best] as number)) best = index;
  }
  return best;
}
