/** Image-weighted means of batch losses and accuracy, as the reference accumulates them. */
export class RunningTotals {
  #lossSum = 0;
  #correct = 0;
  #count = 0;

  /** `meanLoss` is the batch's mean loss over its `size` images. */
  add(meanLoss: number, correct: number, size: number): void {
    this.#lossSum += meanLoss * size;
    this.#correct += correct;
    this.#count += size;
  }

  /** [loss sum, correct, count]: what data-parallel training adds up over ranks. */
  get sums(): [number, number, number] {
    return [this.#lossSum, this.#correct, this.#count];
  }

  /** Totals whose sums are `sums` (from another RunningTotals, possibly of many ranks). */
  static fromSums([lossSum, correct, count]: readonly [number, number, number]): RunningTotals {
    const totals = new RunningTotals();
    totals.#lossSum = lossSum;
    totals.#correct = correct;
    totals.#count = count;
    return totals;
  }

  get count(): number {
    return this.#count;
  }

  get loss(): number {
    return this.#count === 0 ? Number.NaN : this.#lossSum / this.#count;
  }

  get accuracy(): number {
    return this.#count === 0 ? Number.NaN : this.#correct / this.#count;
  }
}
